package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/policy"
	"github.com/techoms/inventory-operator/internal/workload"
)

// Event reasons of drift checks.
const (
	reasonDriftDetected        = "DriftDetected"
	reasonDriftResolved        = "InSync"
	reasonDriftCorrectionStart = "DriftCorrectionStarted"
)

// driftSampleSize is how many drifted SKUs the condition's message names.
const driftSampleSize = 3

// reconcileDrift starts the scheduled drift checks and reports the last one in the InSync
// condition. A check is a plan, so it shares the plan's Job, status.lastPlan and its
// observation: only its token (DriftCheckTokenPrefix) tells it apart.
func (r *InventorySyncReconciler) reconcileDrift(ctx context.Context, o *syncObservation) error {
	sync := o.sync
	check := sync.Spec.DriftCheck
	if check == nil {
		sync.Status.Drift = nil
		o.conds.remove(v1alpha1.ConditionInSync)
		return nil
	}
	// A correction that waited for a run starts once that run ended.
	if queued := sync.Status.Drift; queued != nil && queued.QueuedCorrection != "" && !o.correctionSought {
		if queued.State != v1alpha1.DriftDrifted || !check.Correct {
			queued.QueuedCorrection = ""
		} else if err := r.correctDrift(ctx, o, queued.QueuedCorrection); err != nil {
			return err
		}
	}
	sched, loc, problem := parseDriftSchedule(sync)
	if problem != nil {
		o.block(problem)
		return nil
	}
	if sync.Status.Drift == nil {
		sync.Status.Drift = &v1alpha1.DriftStatus{}
	}
	drift := sync.Status.Drift
	setInSyncCondition(o)

	due := nextDriftCheck(sched, loc, drift.LastScheduledTime, o.now)
	// A plan in progress (a check or one an annotation asked for) would lose its report if
	// another replaced it in status.lastPlan; the check waits for it, and the Job's end
	// brings the next reconcile.
	planRunning := sync.Status.LastPlan != nil && sync.Status.LastPlan.Result == ""
	if !o.now.Before(due) && o.blocked == nil && !planRunning {
		token := v1alpha1.DriftCheckTokenPrefix + o.now.UTC().Format("20060102t150405z")
		if err := r.startPlan(ctx, o, token); err != nil {
			return err
		}
		drift.LastScheduledTime = &metav1.Time{Time: o.now.Truncate(time.Second)}
		due = nextDriftCheck(sched, loc, drift.LastScheduledTime, o.now)
	}
	drift.NextCheckTime = &metav1.Time{Time: due.Truncate(time.Second)}
	o.requeueAt(due.Add(time.Second))
	return nil
}

// nextDriftCheck is when the check after the one started at last is due: now for the first
// check, so that a new driftCheck tells the state without waiting a whole schedule; then the
// schedule's next time after the newest check started. A due time in the past means a check
// is due now; checks missed while the manager was down make one check, not a burst.
func nextDriftCheck(sched cron.Schedule, loc *time.Location, last *metav1.Time, now time.Time) time.Time {
	if last == nil {
		return now
	}
	return sched.Next(last.In(loc))
}

// parseDriftSchedule reads driftCheck.schedule in the sync's time zone.
func parseDriftSchedule(sync *v1alpha1.InventorySync) (cron.Schedule, *time.Location, *blocker) {
	loc := time.Local
	if tz := sync.Spec.TimeZone; tz != nil {
		var err error
		if loc, err = time.LoadLocation(*tz); err != nil {
			return nil, nil, specProblem(v1alpha1.ReasonInvalidTimeZone, fmt.Sprintf("timeZone %q is not a known IANA time zone", *tz))
		}
	}
	sched, err := cron.ParseStandard(sync.Spec.DriftCheck.Schedule)
	if err != nil {
		return nil, nil, specProblem(v1alpha1.ReasonInvalidSchedule,
			fmt.Sprintf("driftCheck.schedule %q is not a valid cron expression: %v", sync.Spec.DriftCheck.Schedule, err))
	}
	return sched, loc, nil
}

// recordDrift reads a finished plan as a drift check: any plan that succeeded tells whether
// the channel matches what a run would write, whoever asked for it. It says so with an
// Event when the state changes, and starts a correcting run when the spec asks for one.
func (r *InventorySyncReconciler) recordDrift(ctx context.Context, o *syncObservation, plan *v1alpha1.SyncPlan) error {
	sync := o.sync
	check := sync.Spec.DriftCheck
	if check == nil || plan.Result != v1alpha1.RunSucceeded || plan.SKUs == nil {
		return nil
	}
	if sync.Status.Drift == nil {
		sync.Status.Drift = &v1alpha1.DriftStatus{}
	}
	drift := sync.Status.Drift
	previous := drift.State
	drift.State = v1alpha1.DriftInSync
	if plan.SKUs.Updated > 0 {
		drift.State = v1alpha1.DriftDrifted
	}
	drift.SKUs = plan.SKUs.Updated
	drift.Sample = plan.Changes
	drift.CheckedAt = plan.CompletionTime
	drift.CorrectingRun = ""
	if drift.State != v1alpha1.DriftDrifted {
		// Back in sync: a correction that waited has nothing left to correct. A plan a
		// person asked for that finds drift again leaves it waiting.
		drift.QueuedCorrection = ""
	}
	setInSyncCondition(o)

	switch {
	case drift.State == previous:
	case drift.State == v1alpha1.DriftDrifted:
		r.Recorder.Eventf(sync, nil, corev1.EventTypeWarning, reasonDriftDetected, "DriftCheck", "%s", driftMessage(drift))
	case previous != "":
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, reasonDriftResolved, "DriftCheck", "%s", driftMessage(drift))
	}
	if drift.State != v1alpha1.DriftDrifted || !check.Correct || !strings.HasPrefix(plan.RequestedAt, v1alpha1.DriftCheckTokenPrefix) {
		return nil
	}
	return r.correctDrift(ctx, o, plan.RequestedAt)
}

// correctDrift starts the run that brings a drifted RealTimeAdjustment channel back to what
// the feeds say. Only there: SynchronizeWithFulfillmentChannel has scheduled full runs for
// that, and DoNotSynchronize pushes nothing by definition. While another run of the sync is
// in progress the correction waits for it (status.drift.queuedCorrection, RunQueued).
func (r *InventorySyncReconciler) correctDrift(ctx context.Context, o *syncObservation, token string) error {
	sync := o.sync
	drift := sync.Status.Drift
	o.correctionSought = true
	if sync.Status.EffectiveMode != v1alpha1.ModeRealTimeAdjustment || o.push == policy.NoPush || o.blocked != nil {
		drift.QueuedCorrection = ""
		return nil
	}
	name := workload.ManualJobName(sync.Name, workload.KindFulfillmentManual, token)
	// Its own Job, started by a reconcile whose status this one's read does not show yet, is
	// no run to wait for.
	if running := runningJob(o); running != "" && !hasJob(o, name) {
		drift.QueuedCorrection, drift.CorrectingRun = token, ""
		o.queued = append(o.queued, fmt.Sprintf("the correcting run of drift check %s waits for Job %s to end: one run of an InventorySync at a time", token, running))
		o.requeueAt(o.now.Add(queuedRecheck))
		return nil
	}
	run := runFor(sync, o.channel, v1alpha1.TriggerFulfillmentManual, workload.StrategyFor(o.push))
	created, err := r.launcher.launch(ctx, run, name, token)
	if err != nil {
		return err
	}
	if created {
		o.started = name
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, reasonDriftCorrectionStart, "DriftCheck",
			"drift check %s found %d SKUs to change: started correcting run %s (%s)", token, drift.SKUs, name, run.Strategy)
	}
	drift.QueuedCorrection, drift.CorrectingRun = "", name
	return nil
}

// setInSyncCondition mirrors status.drift in the InSync condition, once a check finished.
func setInSyncCondition(o *syncObservation) {
	drift := o.sync.Status.Drift
	switch {
	case drift == nil || drift.State == "":
		o.conds.remove(v1alpha1.ConditionInSync)
	case drift.State == v1alpha1.DriftInSync:
		o.conds.set(v1alpha1.ConditionInSync, metav1.ConditionTrue, v1alpha1.ReasonInSync, driftMessage(drift))
	default:
		o.conds.set(v1alpha1.ConditionInSync, metav1.ConditionFalse, v1alpha1.ReasonDrifted, driftMessage(drift))
	}
}

// driftMessage says what the last check found, naming a few SKUs so that a reader can look
// them up in the store's admin.
func driftMessage(drift *v1alpha1.DriftStatus) string {
	if drift.State == v1alpha1.DriftInSync {
		return "the channel shows what a run would write"
	}
	var sample []string
	for _, c := range drift.Sample[:min(len(drift.Sample), driftSampleSize)] {
		sample = append(sample, fmt.Sprintf("%s %d→%d", c.SKU, c.From, c.To))
	}
	msg := fmt.Sprintf("a run would change %d SKUs", drift.SKUs)
	if len(sample) > 0 {
		msg += ", for example " + strings.Join(sample, ", ")
	}
	return msg
}
