package workload

import (
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/utils/ptr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// CronJobSpec renders the CronJob spec of a recurring sync. suspend is the sync's own
// suspend or'ed with the mode gate: a mode that does not push scheduled syncs suspends it.
func CronJobSpec(r Run, suspend bool) batchv1.CronJobSpec {
	spec := r.Sync.Spec
	return batchv1.CronJobSpec{
		Schedule:                   ptr.Deref(spec.Schedule, ""),
		TimeZone:                   spec.TimeZone,
		Suspend:                    ptr.To(suspend),
		ConcurrencyPolicy:          batchv1.ForbidConcurrent,
		SuccessfulJobsHistoryLimit: ptr.To(spec.SuccessfulRunsHistoryLimitOrDefault()),
		FailedJobsHistoryLimit:     ptr.To(spec.FailedRunsHistoryLimitOrDefault()),
		JobTemplate:                JobTemplate(r),
	}
}

// TriggerOf reads the trigger a Job was made for from its labels.
func TriggerOf(labels map[string]string) v1alpha1.Trigger {
	return v1alpha1.Trigger(labels[LabelTrigger])
}
