package controllers

import (
	"fmt"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

// queuedRecheck is how often a queued run looks again whether the running one ended, besides
// the Job's own events.
const queuedRecheck = 10 * time.Second

// runningJob is the Job of the sync's run in progress, empty when none runs: the oldest
// active one, or the one this reconcile started, which the cache does not list yet.
func runningJob(o *syncObservation) string {
	if len(o.sync.Status.Active) > 0 {
		return o.sync.Status.Active[0].Job
	}
	return o.started
}

// runsBesideSchedule says whether a run the CronJob did not start (one-off, manual or
// sales-channel manual) is active. The CronJob is held meanwhile: its Forbid policy keeps
// only its own runs apart.
func runsBesideSchedule(active []v1alpha1.ActiveRun) bool {
	for _, run := range active {
		if run.Trigger != v1alpha1.TriggerFulfillmentRecurring {
			return true
		}
	}
	return false
}

// channelRunQueued says, while the sync's run for a sales-channel manual sync waits for the
// sync's running Job, which request waits for which Job; empty otherwise.
func channelRunQueued(o *syncObservation) string {
	ch := o.channel
	if ch == nil {
		return ""
	}
	token := ch.Annotations[v1alpha1.SyncRequestedAtAnnotation]
	running := runningJob(o)
	if token == "" || token == ch.Status.LastHandledSyncRequest || running == "" {
		return ""
	}
	if hasJob(o, workload.ManualJobName(o.sync.Name, workload.KindSalesChannelManual, token)) {
		return ""
	}
	return fmt.Sprintf("sales-channel manual sync %s of %s waits for Job %s to end: one run of an InventorySync at a time", token, ch.Name, running)
}

// hasJob says whether the sync has a Job of that name, running or finished.
func hasJob(o *syncObservation, name string) bool {
	for i := range o.jobs {
		if o.jobs[i].Name == name {
			return true
		}
	}
	return false
}
