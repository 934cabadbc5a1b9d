package controllers

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/policy"
	"github.com/techoms/inventory-operator/internal/workload"
)

// parseSchedule checks what the CRD schema cannot: that the schedule is a cron expression
// the CronJob controller accepts and the time zone is known. It returns the schedule in
// its time zone.
func parseSchedule(sync *v1alpha1.InventorySync) (cron.Schedule, *time.Location, *blocker) {
	loc := time.Local
	if tz := sync.Spec.TimeZone; tz != nil {
		var err error
		if loc, err = time.LoadLocation(*tz); err != nil {
			return nil, nil, specProblem(v1alpha1.ReasonInvalidTimeZone, fmt.Sprintf("timeZone %q is not a known IANA time zone", *tz))
		}
	}
	sched, err := cron.ParseStandard(*sync.Spec.Schedule)
	if err != nil {
		return nil, nil, specProblem(v1alpha1.ReasonInvalidSchedule, fmt.Sprintf("schedule %q is not a valid cron expression: %v", *sync.Spec.Schedule, err))
	}
	return sched, loc, nil
}

// reconcileCronJob creates or updates the CronJob of a recurring sync. It is suspended while
// the spec says so, while the channel's effective mode does not push scheduled syncs, and
// while something blocks the sync (its pods could not start, or its spec cannot be run).
func (r *InventorySyncReconciler) reconcileCronJob(ctx context.Context, o *syncObservation) error {
	sync := o.sync
	sched, loc, invalid := parseSchedule(sync)
	o.block(invalid)
	name := workload.CronJobName(sync.Name)
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: sync.Namespace}}
	refused := (o.blocked != nil && o.blocked.Reason == v1alpha1.ReasonOperatorSecret) ||
		(o.channel != nil && workload.CheckSecrets(runFor(sync, o.channel, v1alpha1.TriggerFulfillmentRecurring, "")) != nil)
	if o.channel == nil || invalid != nil || refused {
		// Without its channel the job template cannot be rendered, without a valid schedule
		// it cannot be updated, and naming an operator's Secret (which observeDependencies
		// reports) it must not be: keep an existing CronJob but stop it.
		o.cronJobSuspended = true
		sync.Status.NextSyncTime = nil
		err := r.Get(ctx, client.ObjectKeyFromObject(cj), cj)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil || !metav1.IsControlledBy(cj, sync) || ptr.Deref(cj.Spec.Suspend, false) {
			return err
		}
		cj.Spec.Suspend = ptr.To(true)
		return r.Update(ctx, cj)
	}

	o.suspended = ptr.Deref(sync.Spec.Suspend, false) || o.push == policy.NoPush
	suspend := o.suspended || o.blocked != nil
	o.cronJobSuspended = suspend
	// held: a run the CronJob did not start is in progress; its Forbid policy does not see
	// that run, so the CronJob is suspended until it ends and a tick due meanwhile is
	// skipped, as Forbid skips one due during its own run.
	held := o.besideSchedule && !suspend
	wasSuspended := true
	var conflict bool
	op, err := controllerutil.CreateOrUpdate(ctx, r.Client, cj, func() error {
		if !cj.CreationTimestamp.IsZero() && !metav1.IsControlledBy(cj, sync) {
			conflict = true
			return fmt.Errorf("CronJob %s exists and is not owned by this InventorySync", name)
		}
		wasSuspended = cj.CreationTimestamp.IsZero() || ptr.Deref(cj.Spec.Suspend, false)
		cj.Labels = map[string]string{workload.LabelManagedBy: workload.ManagedByValue, workload.LabelInventorySync: sync.Name}
		run := runFor(sync, o.channel, v1alpha1.TriggerFulfillmentRecurring, workload.StrategyFor(o.push))
		run.Image, run.MemoryLimit, run.Relay = r.Image, r.SyncMemoryLimit, r.Relay
		// The API server fills in defaults the rendered spec leaves unset: replacing the spec
		// only when a field it sets differs keeps an unchanged CronJob from being rewritten on
		// every reconcile, while drift in those fields is still put back.
		if desired := workload.CronJobSpec(run, suspend || held); !equality.Semantic.DeepDerivative(desired, cj.Spec) {
			cj.Spec = desired
		}
		return controllerutil.SetControllerReference(sync, cj, r.Scheme())
	})
	if conflict {
		o.block(specProblem(v1alpha1.ReasonCronJobNameConflict,
			fmt.Sprintf("a CronJob named %s already exists and is not owned by this InventorySync; rename one of them", name)))
		o.cronJobSuspended = true
		sync.Status.NextSyncTime = nil
		return nil
	}
	if err != nil {
		return err
	}
	sync.Status.CronJobName = name
	switch {
	case op == controllerutil.OperationResultCreated:
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, "CronJobCreated", "Sync", "created CronJob %s (schedule %q, suspended %v)", name, *sync.Spec.Schedule, suspend || held)
	case suspend && !wasSuspended:
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, "CronJobSuspended", "Sync", "suspended CronJob %s: %s", name, suspendReason(o))
	case held && !wasSuspended:
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, "CronJobHeld", "Sync", "holding CronJob %s while a manual run is in progress: one run of an InventorySync at a time", name)
	case !suspend && !held && wasSuspended:
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, "CronJobResumed", "Sync", "resumed CronJob %s", name)
	}

	first := sched.Next(o.now.In(loc))
	o.scheduleInterval = sched.Next(first).Sub(first)
	sync.Status.NextSyncTime = nil
	if !suspend {
		next := first
		sync.Status.NextSyncTime = &metav1.Time{Time: next}
		// Refresh nextSyncTime once it has passed.
		o.requeueAt(next.Add(time.Second))
	}
	return nil
}

// suspendReason says why scheduled runs are stopped, for the Suspended condition and events.
func suspendReason(o *syncObservation) string {
	switch {
	case ptr.Deref(o.sync.Spec.Suspend, false):
		return "spec.suspend is true"
	case o.channel != nil && o.push == policy.NoPush:
		return fmt.Sprintf("SalesChannel %s's effective mode %s does not push fulfillment-channel syncs", o.channel.Name, o.sync.Status.EffectiveMode)
	case o.blocked != nil:
		return o.blocked.Message
	}
	return ""
}

// syncOfJob maps a Job to its InventorySync by label, which the CronJob's Jobs carry too.
func syncOfJob(_ context.Context, job client.Object) []reconcile.Request {
	name, ok := job.GetLabels()[workload.LabelInventorySync]
	if !ok || job.GetLabels()[workload.LabelManagedBy] != workload.ManagedByValue {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: job.GetNamespace(), Name: name}}}
}
