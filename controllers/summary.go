package controllers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// summarise sets an InventorySync's conditions from what the reconcile observed.
func (r *InventorySyncReconciler) summarise(o *syncObservation) {
	sync, conds := o.sync, o.conds
	wasReady := isTrue(sync.Status.Conditions, v1alpha1.ConditionReady)
	hadReady := len(sync.Status.Conditions) > 0

	if sync.Spec.Schedule != nil || o.channel != nil {
		reason := v1alpha1.ReasonNotSuspended
		status := metav1.ConditionFalse
		message := "scheduled and fulfillment-channel manual runs are pushed"
		if sync.Spec.Schedule == nil {
			message = "the one-off run is pushed"
		}
		if o.suspended {
			status, message = metav1.ConditionTrue, suspendReason(o)
			reason = v1alpha1.ReasonModeDoesNotPush
			if ptr.Deref(sync.Spec.Suspend, false) {
				reason = v1alpha1.ReasonSuspendedBySpec
			}
		}
		conds.set(v1alpha1.ConditionSuspended, status, reason, message)
	}

	if n := len(sync.Status.Active); n > 0 {
		conds.reconciling(true, v1alpha1.ReasonRunInProgress, fmt.Sprintf("run %s is in progress", sync.Status.Active[n-1].Job))
	} else {
		conds.reconciling(false, "", "")
	}

	last := sync.Status.LastRun
	switch {
	case o.invalid != nil:
		conds.ready(false, o.invalid.Reason, o.invalid.Message, true)
	case o.missing != nil:
		conds.ready(false, o.missing.Reason, o.missing.Message, false)
	case last != nil && last.Result == v1alpha1.RunFailed:
		conds.ready(false, v1alpha1.ReasonLastRunFailed, fmt.Sprintf("run %s failed: %s", last.Job, summary(last)), false)
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

	ready := isTrue(sync.Status.Conditions, v1alpha1.ConditionReady)
	if hadReady && wasReady && !ready && o.invalid == nil && o.missing != nil {
		r.Recorder.Eventf(sync, nil, corev1.EventTypeWarning, o.missing.Reason, "Reconcile", o.missing.Message)
	}
	if o.invalid != nil && (wasReady || !hadReady) {
		r.Recorder.Eventf(sync, nil, corev1.EventTypeWarning, o.invalid.Reason, "Reconcile", o.invalid.Message)
	}
	if !hadReady && o.missing != nil {
		r.Recorder.Eventf(sync, nil, corev1.EventTypeWarning, o.missing.Reason, "Reconcile", o.missing.Message)
	}
}
