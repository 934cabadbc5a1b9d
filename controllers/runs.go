package controllers

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

// finishedJob is a Job that completed or failed, and when.
type finishedJob struct {
	job       *batchv1.Job
	succeeded bool
	at        time.Time
}

// jobOutcome reads whether a Job finished, how, and when, from its conditions.
func jobOutcome(job *batchv1.Job) (finished, succeeded bool, at time.Time) {
	for _, c := range job.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return true, true, c.LastTransitionTime.Time
		case batchv1.JobFailed:
			return true, false, c.LastTransitionTime.Time
		}
	}
	return false, false, time.Time{}
}

// sortRuns splits a sync's Jobs into active runs, oldest first, and finished runs, newest first.
func sortRuns(jobs []batchv1.Job) (active []v1alpha1.ActiveRun, finished []finishedJob) {
	for i := range jobs {
		job := &jobs[i]
		if done, ok, at := jobOutcome(job); done {
			finished = append(finished, finishedJob{job: job, succeeded: ok, at: at})
			continue
		}
		if job.DeletionTimestamp != nil {
			continue
		}
		start := job.Status.StartTime
		if start == nil {
			start = &job.CreationTimestamp
		}
		active = append(active, v1alpha1.ActiveRun{Job: job.Name, Trigger: workload.TriggerOf(job.Labels), StartTime: start})
	}
	sort.Slice(active, func(i, j int) bool { return active[i].StartTime.Before(active[j].StartTime) })
	// Newest first; ties (status times have second precision) broken by creation, then name,
	// so the same Jobs always give the same order.
	sort.Slice(finished, func(i, j int) bool {
		a, b := finished[i], finished[j]
		if !a.at.Equal(b.at) {
			return a.at.After(b.at)
		}
		if !a.job.CreationTimestamp.Equal(&b.job.CreationTimestamp) {
			return a.job.CreationTimestamp.After(b.job.CreationTimestamp.Time)
		}
		return a.job.Name > b.job.Name
	})
	return active, finished
}

// runReader builds a SyncRun or a SyncPlan from a finished Job and the result its pod
// reported.
type runReader struct {
	// pods is an uncached reader: pods are read only when a run finishes, so the manager
	// does not cache every pod of the cluster.
	pods client.Reader
}

// jobReport is what a finished Job tells: how it ended and what its pod reported.
type jobReport struct {
	startTime, completionTime *metav1.Time
	result                    v1alpha1.RunResult
	// reported is the SyncResult the pod wrote, nil when it wrote none.
	reported *v1alpha1.SyncResult
	// message is the pod's message, or its raw termination message when that was no
	// SyncResult; for a failed Job it always says why.
	message string
}

// report reads a finished Job's outcome and its sync container's termination message. Runs
// and plans are both read here, so they tell a failure the same way.
func (r runReader) report(ctx context.Context, f finishedJob) (jobReport, error) {
	job := f.job
	rep := jobReport{
		startTime:      job.Status.StartTime,
		completionTime: &metav1.Time{Time: f.at},
		result:         v1alpha1.RunFailed,
	}
	if f.succeeded {
		rep.result = v1alpha1.RunSucceeded
	}
	terminated, err := r.lastTermination(ctx, job)
	if err != nil {
		return jobReport{}, err
	}
	var msg string
	if terminated != nil {
		msg = strings.TrimSpace(terminated.Message)
	}
	var result v1alpha1.SyncResult
	switch {
	case msg != "" && json.Unmarshal([]byte(msg), &result) == nil:
		rep.reported = &result
		rep.message = result.Message
	case msg != "":
		rep.message = truncate(msg, 512)
	}
	if !f.succeeded && rep.message == "" {
		rep.message = containerFailureMessage(terminated)
	}
	if !f.succeeded && rep.message == "" {
		rep.message = jobFailureMessage(job)
	}
	return rep, nil
}

// read is the SyncRun of a finished run's Job.
func (r runReader) read(ctx context.Context, f finishedJob) (*v1alpha1.SyncRun, error) {
	rep, err := r.report(ctx, f)
	if err != nil {
		return nil, err
	}
	run := &v1alpha1.SyncRun{
		Job:            f.job.Name,
		Trigger:        workload.TriggerOf(f.job.Labels),
		StartTime:      rep.startTime,
		CompletionTime: rep.completionTime,
		Result:         rep.result,
		Message:        rep.message,
	}
	if c := f.job.Spec.Template.Spec.Containers; len(c) > 0 {
		run.Strategy = strategyFromArgs(c[0].Args)
	}
	if rep.reported != nil {
		run.SKUs = &rep.reported.SKUs
		run.Failures = rep.reported.Failures
		run.Mapping = rep.reported.Mapping
		run.Reserved = rep.reported.Reserved
		if rep.reported.Superseded && f.succeeded {
			run.Result = v1alpha1.RunSuperseded
		} else {
			run.SnapshotTime = rep.reported.SnapshotTime
		}
	}
	return run, nil
}

// readPlan is the SyncPlan of a finished plan's Job, answering the token it was made for.
func (r runReader) readPlan(ctx context.Context, f finishedJob, token string) (*v1alpha1.SyncPlan, error) {
	rep, err := r.report(ctx, f)
	if err != nil {
		return nil, err
	}
	plan := &v1alpha1.SyncPlan{
		Job:            f.job.Name,
		RequestedAt:    token,
		StartTime:      rep.startTime,
		CompletionTime: rep.completionTime,
		Result:         rep.result,
		Message:        rep.message,
	}
	if rep.reported != nil {
		plan.SKUs = &rep.reported.SKUs
		plan.Changes = rep.reported.Changes
		plan.Mapping = rep.reported.Mapping
		plan.Reserved = rep.reported.Reserved
	}
	return plan, nil
}

// containerFailureMessage says how the sync container ended when it wrote no result: killed
// for memory, or by a signal, before it could report.
func containerFailureMessage(t *corev1.ContainerStateTerminated) string {
	switch {
	case t == nil:
		return ""
	case t.Reason == "OOMKilled":
		return fmt.Sprintf("the sync container was killed for exceeding its memory limit (OOMKilled, exit code %d) before it reported a result", t.ExitCode)
	case t.Reason != "" && t.Reason != "Error" && t.Reason != "Completed":
		return fmt.Sprintf("the sync container ended with %s (exit code %d) before it reported a result", t.Reason, t.ExitCode)
	case t.ExitCode != 0:
		return fmt.Sprintf("the sync container exited with code %d before it reported a result", t.ExitCode)
	}
	return ""
}

// lastTermination is the sync container's last terminated state among the pods of job.
func (r runReader) lastTermination(ctx context.Context, job *batchv1.Job) (*corev1.ContainerStateTerminated, error) {
	var pods corev1.PodList
	if err := r.pods.List(ctx, &pods, client.InNamespace(job.Namespace),
		client.MatchingLabels{batchv1.ControllerUidLabel: string(job.UID)}); err != nil {
		return nil, fmt.Errorf("listing pods of Job %s: %w", job.Name, err)
	}
	var newest *corev1.ContainerStateTerminated
	for i := range pods.Items {
		for _, cs := range pods.Items[i].Status.ContainerStatuses {
			t := cs.State.Terminated
			if cs.Name != workload.ContainerName || t == nil {
				continue
			}
			if newest == nil || t.FinishedAt.After(newest.FinishedAt.Time) {
				newest = t
			}
		}
	}
	return newest, nil
}

func jobFailureMessage(job *batchv1.Job) string {
	for _, c := range job.Status.Conditions {
		if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
			return fmt.Sprintf("%s: %s", c.Reason, c.Message)
		}
	}
	return "the run failed without reporting a result"
}

func strategyFromArgs(args []string) v1alpha1.Strategy {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--strategy="); ok {
			return v1alpha1.Strategy(v)
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// summary is a run's counts in one line, for events and conditions.
func summary(run *v1alpha1.SyncRun) string {
	if run.SKUs == nil {
		return run.Message
	}
	s := run.SKUs.Summary()
	if run.Message != "" {
		s += ": " + run.Message
	}
	return s
}
