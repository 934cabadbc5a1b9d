package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// conditionSet writes an object's conditions the kstatus way: every condition carries the
// generation it describes, and Reconciling and Stalled exist only while True.
type conditionSet struct {
	conditions *[]metav1.Condition
	generation int64
}

func (c conditionSet) set(typ string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(c.conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: c.generation,
	})
}

func (c conditionSet) remove(typ string) { meta.RemoveStatusCondition(c.conditions, typ) }

// ready sets Ready and, with it, Stalled: a not-ready object that cannot progress without a
// spec change is Stalled too.
func (c conditionSet) ready(ok bool, reason, message string, stalled bool) {
	status := metav1.ConditionTrue
	if !ok {
		status = metav1.ConditionFalse
	}
	c.set(v1alpha1.ConditionReady, status, reason, message)
	if stalled {
		c.set(v1alpha1.ConditionStalled, metav1.ConditionTrue, reason, message)
	} else {
		c.remove(v1alpha1.ConditionStalled)
	}
}

// reconciling sets Reconciling while work is under way and removes it otherwise.
func (c conditionSet) reconciling(active bool, reason, message string) {
	if active {
		c.set(v1alpha1.ConditionReconciling, metav1.ConditionTrue, reason, message)
	} else {
		c.remove(v1alpha1.ConditionReconciling)
	}
}

// flag sets an informational condition while it holds and removes it otherwise.
func (c conditionSet) flag(typ string, on bool, reason, message string) {
	if on {
		c.set(typ, metav1.ConditionTrue, reason, message)
	} else {
		c.remove(typ)
	}
}

// isTrue reports whether a condition is present and True.
func isTrue(conditions []metav1.Condition, typ string) bool {
	return meta.IsStatusConditionTrue(conditions, typ)
}

// retrying records a failed reconcile: Reconciling says the manager retries, Ready says why
// it is not there. Both clear on the next reconcile that succeeds.
func (c conditionSet) retrying(err error) {
	message := "reconcile failed, retrying: " + err.Error()
	c.set(v1alpha1.ConditionReconciling, metav1.ConditionTrue, v1alpha1.ReasonRetryingAfterError, message)
	c.set(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonReconcileFailed, message)
}
