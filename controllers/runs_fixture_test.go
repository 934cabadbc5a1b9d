package controllers

import (
	"encoding/json"
	"time"

	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

// finishJob plays the kubelet and the Job controller, which envtest does not run: it
// creates the run's pod with the sync container terminated with result as its termination
// message, then marks the Job complete or failed.
func finishJob(job *batchv1.Job, result *v1alpha1.SyncResult, succeeded bool) {
	msg := ""
	if result != nil {
		b, err := json.Marshal(result)
		Expect(err).NotTo(HaveOccurred())
		msg = string(b)
	}
	terminated := corev1.ContainerStateTerminated{Message: msg}
	if !succeeded {
		terminated.ExitCode = workload.ExitPartial
	}
	endJob(job, terminated, succeeded)
}

// endJob finishes job with its sync container in the terminated state given.
func endJob(job *batchv1.Job, terminated corev1.ContainerStateTerminated, succeeded bool) {
	// Each finished run ends a minute after the previous one, so runs are ordered even when
	// a test finishes several within one second (status times have second precision).
	finishedRuns++
	now := metav1.NewTime(time.Now().Truncate(time.Second).Add(time.Duration(finishedRuns) * time.Minute))
	terminated.StartedAt, terminated.FinishedAt = now, now
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: job.Namespace, Name: job.Name + "-pod",
			Labels: map[string]string{batchv1.ControllerUidLabel: string(job.UID), batchv1.JobNameLabel: job.Name},
		},
		Spec: job.Spec.Template.Spec,
	}
	Expect(k8s.Create(ctx, pod)).To(Succeed())
	pod.Status = corev1.PodStatus{
		Phase: corev1.PodSucceeded,
		ContainerStatuses: []corev1.ContainerStatus{{
			Name: workload.ContainerName, Image: testImage,
			State: corev1.ContainerState{Terminated: &terminated},
		}},
	}
	if !succeeded {
		pod.Status.Phase = corev1.PodFailed
	}
	Expect(k8s.Status().Update(ctx, pod)).To(Succeed())

	if job.Status.StartTime == nil {
		job.Status.StartTime = &now
	}
	if succeeded {
		job.Status.Succeeded = 1
		job.Status.CompletionTime = &now
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now},
		}
	} else {
		job.Status.Failed = 1
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, LastTransitionTime: now, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"},
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastTransitionTime: now, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"},
		}
	}
	job.Status.Ready = ptr.To[int32](0)
	job.Status.Terminating = ptr.To[int32](0)
	job.Status.UncountedTerminatedPods = &batchv1.UncountedTerminatedPods{}
	Expect(k8s.Status().Update(ctx, job)).To(Succeed())
}

var finishedRuns int

func counts(read, unchanged, updated, skipped, failed int64) v1alpha1.SKUCounts {
	return v1alpha1.SKUCounts{Read: read, Unchanged: unchanged, Updated: updated, SkippedDuplicates: skipped, Failed: failed}
}
