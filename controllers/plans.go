package controllers

import (
	"context"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

// Event reasons of plans.
const (
	reasonPlanStarted   = "PlanStarted"
	reasonPlanSucceeded = "PlanSucceeded"
	reasonPlanFailed    = "PlanFailed"
)

// reconcilePlan starts the plan a new plan-requested-at token asks for, and reports the
// plan in status.lastPlan once its Job finishes. A plan writes nothing, so it is no run:
// it leaves the runs, the conditions and the run metrics alone.
func (r *InventorySyncReconciler) reconcilePlan(ctx context.Context, o *syncObservation) error {
	if err := r.handlePlanRequest(ctx, o); err != nil {
		return err
	}
	return r.observePlan(ctx, o)
}

// handlePlanRequest starts one plan per new plan-requested-at token, in every mode: a plan
// writes nothing, so the mode has nothing to stop. Like a sync request, it waits while a
// dependency is missing, since the plan's pod could not start or read the channel without it.
func (r *InventorySyncReconciler) handlePlanRequest(ctx context.Context, o *syncObservation) error {
	sync := o.sync
	token := sync.Annotations[v1alpha1.PlanRequestedAtAnnotation]
	if token == "" || token == sync.Status.LastHandledPlanRequest || o.blocked != nil {
		return nil
	}
	if err := r.startPlan(ctx, o, token); err != nil {
		return err
	}
	sync.Status.LastHandledPlanRequest = token
	return nil
}

// startPlan starts the plan that answers token and makes it status.lastPlan.
func (r *InventorySyncReconciler) startPlan(ctx context.Context, o *syncObservation, token string) error {
	sync := o.sync
	// The plan shows what a fulfillment-channel run would change under the mode; where the
	// mode pushes none, what a sales-channel manual sync (full values) would.
	run := runFor(sync, o.channel, v1alpha1.TriggerFulfillmentManual, workload.StrategyFor(o.push))
	run.PlanOnly = true
	name := workload.ManualJobName(sync.Name, workload.KindPlan, token)
	created, err := r.launcher.launch(ctx, run, name, token)
	if err != nil {
		return err
	}
	if created {
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, reasonPlanStarted, "Plan", "plan %s: started Job %s (%s)", token, name, run.Strategy)
	}
	sync.Status.LastPlan = &v1alpha1.SyncPlan{Job: name, RequestedAt: token}
	return nil
}

// observePlan fills status.lastPlan when its Job finishes, and then deletes the older
// finished plan Jobs: the newest plan is the one that tells what a run would do now.
func (r *InventorySyncReconciler) observePlan(ctx context.Context, o *syncObservation) error {
	sync := o.sync
	plan := sync.Status.LastPlan
	if plan == nil {
		return nil
	}
	jobs, err := r.listJobs(ctx, sync, true)
	if err != nil {
		return err
	}
	var older []*batchv1.Job
	for i := range jobs {
		job := &jobs[i]
		done, succeeded, at := jobOutcome(job)
		switch {
		case !done:
		case job.Name != plan.Job:
			older = append(older, job)
		case plan.Result == "":
			read, err := r.runs.readPlan(ctx, finishedJob{job: job, succeeded: succeeded, at: at}, plan.RequestedAt)
			if err != nil {
				return err
			}
			sync.Status.LastPlan = read
			r.planEvent(sync, read)
			if err := r.recordDrift(ctx, o, read); err != nil {
				return err
			}
		}
	}
	// Until the newest plan finishes, the older Jobs hold the last finished plan's pod logs.
	if sync.Status.LastPlan.Result == "" {
		return nil
	}
	for _, job := range older {
		if !metav1.IsControlledBy(job, sync) || job.DeletionTimestamp != nil {
			continue
		}
		if err := r.Delete(ctx, job, client.PropagationPolicy(metav1.DeletePropagationBackground)); client.IgnoreNotFound(err) != nil {
			return err
		}
	}
	return nil
}

// planEvent says once how a plan ended and what a run would do.
func (r *InventorySyncReconciler) planEvent(sync *v1alpha1.InventorySync, plan *v1alpha1.SyncPlan) {
	switch {
	case plan.Result != v1alpha1.RunSucceeded:
		r.Recorder.Eventf(sync, nil, corev1.EventTypeWarning, reasonPlanFailed, "Plan", "plan %s failed: %s", plan.RequestedAt, plan.Message)
	case plan.SKUs == nil:
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, reasonPlanSucceeded, "Plan", "plan %s finished without reporting what a run would change", plan.RequestedAt)
	default:
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, reasonPlanSucceeded, "Plan", "plan %s: a run would update %d SKUs: %s",
			plan.RequestedAt, plan.SKUs.Updated, plan.SKUs.Summary())
	}
}

// listJobs lists the sync's Jobs from the cache: its plans' Jobs when plans is true, its
// runs' otherwise. Selecting by the plan label keeps plans out of everything about runs
// (active runs, lastRun, the history limits, the run metrics) at the source.
func (r *InventorySyncReconciler) listJobs(ctx context.Context, sync *v1alpha1.InventorySync, plans bool) ([]batchv1.Job, error) {
	return listSyncJobs(ctx, r.Client, sync, plans)
}

// listSyncJobs lists a sync's Jobs with c, as listJobs does.
func listSyncJobs(ctx context.Context, c client.Reader, sync *v1alpha1.InventorySync, plans bool) ([]batchv1.Job, error) {
	op := selection.DoesNotExist
	if plans {
		op = selection.Exists
	}
	isPlan, err := labels.NewRequirement(workload.LabelPlan, op, nil)
	if err != nil {
		return nil, err
	}
	selector := labels.SelectorFromSet(labels.Set{workload.LabelInventorySync: sync.Name, workload.LabelManagedBy: workload.ManagedByValue}).Add(*isPlan)
	var jobs batchv1.JobList
	if err := c.List(ctx, &jobs, client.InNamespace(sync.Namespace), client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, err
	}
	return jobs.Items, nil
}
