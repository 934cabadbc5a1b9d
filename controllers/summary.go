package controllers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// summarise sets an InventorySync's conditions from what the reconcile observed. Runs in
// progress show in status.active only: Reconciling is the manager's own work, not a run's.
func (r *InventorySyncReconciler) summarise(o *syncObservation) {
	sync, conds := o.sync, o.conds
	wasReady := isTrue(sync.Status.Conditions, v1alpha1.ConditionReady)
	hadReady := len(sync.Status.Conditions) > 0

	if sync.Spec.Schedule != nil || o.channel != nil {
		status, reason, message := suspension(o)
		conds.set(v1alpha1.ConditionSuspended, status, reason, message)
	}
	conds.reconciling(false, "", "")

	last := sync.Status.LastRun
	switch {
	case o.blocked != nil:
		conds.ready(false, o.blocked.Reason, o.blocked.Message, o.blocked.NeedsSpecChange)
	case last != nil && last.Result == v1alpha1.RunFailed:
		conds.ready(false, v1alpha1.ReasonLastRunFailed, fmt.Sprintf("run %s failed: %s", last.Job, summary(last)), false)
	case last != nil && last.Result == v1alpha1.RunSuperseded:
		conds.ready(true, v1alpha1.ReasonLastRunSuperseded, fmt.Sprintf("run %s was superseded: %s", last.Job, last.Message), false)
	case last != nil:
		conds.ready(true, v1alpha1.ReasonLastRunSucceeded, fmt.Sprintf("run %s succeeded: %s", last.Job, summary(last)), false)
	case sync.Spec.Schedule != nil:
		msg := "CronJob " + sync.Status.CronJobName + " is in place"
		if sync.Status.NextSyncTime != nil {
			msg += "; next run at " + sync.Status.NextSyncTime.UTC().Format("2006-01-02T15:04:05Z")
		}
		conds.ready(true, v1alpha1.ReasonScheduled, msg, false)
	default:
		conds.ready(true, v1alpha1.ReasonWaitingForRun, "the one-off run has not finished yet", false)
	}

	if o.blocked != nil && (wasReady || !hadReady) {
		r.Recorder.Eventf(sync, nil, corev1.EventTypeWarning, o.blocked.Reason, "Reconcile", "%s", o.blocked.Message)
	}
}

// suspension is the Suspended condition: what the CronJob (or the one-off run) does, and why.
func suspension(o *syncObservation) (metav1.ConditionStatus, string, string) {
	recurring := o.sync.Spec.Schedule != nil
	switch {
	case ptr.Deref(o.sync.Spec.Suspend, false):
		return metav1.ConditionTrue, v1alpha1.ReasonSuspendedBySpec, suspendReason(o)
	case o.suspended:
		return metav1.ConditionTrue, v1alpha1.ReasonModeDoesNotPush, suspendReason(o)
	case o.blocked != nil && (o.cronJobSuspended || !recurring):
		what := "scheduled runs are stopped"
		if !recurring {
			what = "the one-off run waits"
		}
		return metav1.ConditionTrue, o.blocked.Reason, what + ": " + o.blocked.Message
	case recurring:
		return metav1.ConditionFalse, v1alpha1.ReasonNotSuspended, "scheduled and fulfillment-channel manual runs are pushed"
	}
	return metav1.ConditionFalse, v1alpha1.ReasonNotSuspended, "the one-off run is pushed"
}
