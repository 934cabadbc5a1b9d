package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/metrics"
	"github.com/techoms/inventory-operator/internal/policy"
	"github.com/techoms/inventory-operator/internal/workload"
)

// InventorySyncReconciler turns an InventorySync into a CronJob (recurring) or a Job
// (one-off), gates them with the channel's effective mode, runs manual syncs and plans, and
// reports the runs and the last plan in status.
type InventorySyncReconciler struct {
	client.Client
	// APIReader reads Pods, which the manager does not cache.
	APIReader client.Reader
	// SecretKeys checks the Secrets a sync needs, which the cache holds as metadata only.
	SecretKeys *SecretKeys
	// Mappings validates the catalog mappings of ConfigMaps, which the cache holds as
	// metadata only.
	Mappings *Mappings
	Recorder events.EventRecorder
	// Image is the image the sync Jobs run.
	Image string
	// SyncMemoryLimit is the sync containers' memory limit in bytes; zero for the default.
	SyncMemoryLimit int64
	// Relay is where sync pods of syncs with reservations read them.
	Relay workload.RelayAccess
	// Now is the clock; tests may replace it.
	Now func() time.Time

	launcher launcher
	runs     runReader
}

// +kubebuilder:rbac:groups=inventory.techoms.io,resources=inventorysyncs,verbs=get;list;watch
// +kubebuilder:rbac:groups=inventory.techoms.io,resources=inventorysyncs/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=inventory.techoms.io,resources=saleschannels,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=cronjobs,verbs=get;list;watch;create;update;patch
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch;create;delete
// +kubebuilder:rbac:groups="",resources=pods,verbs=list
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

func (r *InventorySyncReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, err error) {
	var sync v1alpha1.InventorySync
	if err := r.Get(ctx, req.NamespacedName, &sync); err != nil {
		if apierrors.IsNotFound(err) {
			metrics.ForgetInventorySync(req.Namespace, req.Name)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := sync.DeepCopy()
	sync.Status.ObservedGeneration = sync.Generation
	o := &syncObservation{sync: &sync, conds: conditionSet{conditions: &sync.Status.Conditions, generation: sync.Generation}, now: r.Now()}
	// Status is written whatever happens: a reconcile that fails says so and that it retries.
	defer func() {
		if err != nil {
			o.conds.retrying(err)
		}
		err = errors.Join(err, patchStatus(ctx, r.Client, &sync, before, equality.Semantic.DeepEqual(before.Status, sync.Status)))
		observeMetrics(o)
	}()

	if err := r.observeDependencies(ctx, o); err != nil {
		return ctrl.Result{}, err
	}
	// Runs are observed before any is started: a new run waits for the running one, and is
	// told the newest snapshot the finished ones wrote.
	if err := r.observeRuns(ctx, o); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.reconcileWorkload(ctx, o); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.reconcilePlan(ctx, o); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.reconcileDrift(ctx, o); err != nil {
		return ctrl.Result{}, err
	}
	o.conds.flag(v1alpha1.ConditionRunQueued, len(o.queued) > 0, v1alpha1.ReasonRunInProgress, strings.Join(o.queued, "; "))
	mappingRowsFromRuns(&sync)
	r.summarise(o)
	return ctrl.Result{RequeueAfter: o.requeueAfter}, nil
}

// syncObservation carries what one reconcile learned, from the dependencies to the summary.
type syncObservation struct {
	sync  *v1alpha1.InventorySync
	conds conditionSet
	now   time.Time

	channel *v1alpha1.SalesChannel
	// blocked is why the sync cannot run now, if it cannot.
	blocked *blocker
	// push is what scheduled and fulfillment-channel manual runs send under the mode.
	push policy.Push
	// suspended: the spec or the mode stops scheduled runs (or the one-off run).
	suspended bool
	// cronJobSuspended: the CronJob of a recurring sync is stopped, for any reason.
	cronJobSuspended bool
	// besideSchedule: a run the CronJob did not start is running or starts in this
	// reconcile, so the CronJob is held (one run of a sync at a time).
	besideSchedule bool
	// jobs are the sync's run Jobs, as the cache listed them.
	jobs []batchv1.Job
	// started is the Job this reconcile created for a run, which the cache does not list yet.
	started string
	// queued says which requested runs wait for the running one, and why (RunQueued).
	queued []string
	// correctionSought: this reconcile already started or queued a drift correction.
	correctionSought bool
	// scheduleInterval is the time between two scheduled runs of a recurring sync.
	scheduleInterval time.Duration
	requeueAfter     time.Duration
}

// requeueAt asks for a reconcile at t, keeping an earlier one already asked for.
func (o *syncObservation) requeueAt(t time.Time) {
	if d := t.Sub(o.now); d > 0 && (o.requeueAfter == 0 || d < o.requeueAfter) {
		o.requeueAfter = d
	}
}

// block records why the sync cannot run, keeping the blocker that tells the most.
func (o *syncObservation) block(b *blocker) { o.blocked = worse(o.blocked, b) }

// observeDependencies reads the channel, its credentials and the feed's token.
func (r *InventorySyncReconciler) observeDependencies(ctx context.Context, o *syncObservation) error {
	sync := o.sync
	var ch v1alpha1.SalesChannel
	err := r.Get(ctx, client.ObjectKey{Namespace: sync.Namespace, Name: sync.Spec.SalesChannelRef.Name}, &ch)
	switch {
	case apierrors.IsNotFound(err):
		o.block(missing(v1alpha1.ReasonSalesChannelNotFound,
			fmt.Sprintf("SalesChannel %q does not exist in namespace %s", sync.Spec.SalesChannelRef.Name, sync.Namespace)))
		sync.Status.EffectiveMode = ""
		sync.Status.Strategy = ""
		return nil
	case err != nil:
		return err
	}
	o.channel = &ch
	mode, _ := effectiveMode(&ch)
	sync.Status.EffectiveMode = mode
	o.push = decide(&ch, policy.FulfillmentChannelRecurringJob)
	sync.Status.Strategy = ""
	if o.push != policy.NoPush {
		sync.Status.Strategy = workload.StrategyFor(o.push)
	}

	if err := r.observeMapping(ctx, o); err != nil {
		return err
	}
	credentials, err := r.SecretKeys.check(ctx, sync.Namespace, ch.Spec.Connection.CredentialsSecretRef,
		fmt.Sprintf("credentials of SalesChannel %s", ch.Name))
	if err != nil || credentials != nil {
		o.block(credentials)
		return err
	}
	feeds := sync.Spec.FulfillmentChannel.FeedList()
	for _, feed := range feeds {
		ref := feed.BearerTokenSecretRef
		if ref == nil {
			continue
		}
		what := "feed's bearer token"
		if len(feeds) > 1 {
			what = fmt.Sprintf("bearer token of feed %s", feed.Name)
		}
		token, err := r.SecretKeys.check(ctx, sync.Namespace, *ref, what)
		if err != nil {
			return err
		}
		o.block(token)
	}
	return r.observeReservations(ctx, o)
}

// reconcileWorkload makes the CronJob or the one-off Job, and handles a manual sync request.
func (r *InventorySyncReconciler) reconcileWorkload(ctx context.Context, o *syncObservation) error {
	sync := o.sync
	// The CronJob is held before a manual run starts, so that it does not start one beside it.
	o.besideSchedule = runsBesideSchedule(sync.Status.Active) || (syncRequestPending(o) && len(sync.Status.Active) == 0)
	if sync.Spec.Schedule != nil {
		if err := r.reconcileCronJob(ctx, o); err != nil {
			return err
		}
	} else if o.blocked == nil && sync.Status.LastRun == nil {
		o.suspended = o.push == policy.NoPush
		if !o.suspended {
			run := runFor(sync, o.channel, v1alpha1.TriggerFulfillmentManual, workload.StrategyFor(o.push))
			created, err := r.launcher.launch(ctx, run, workload.OneOffJobName(sync.Name), "")
			if err != nil {
				return err
			}
			if created {
				o.started = workload.OneOffJobName(sync.Name)
				r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, "JobCreated", "Sync", "started one-off run %s (%s)", workload.OneOffJobName(sync.Name), run.Strategy)
			}
		}
	}
	return r.handleSyncRequest(ctx, o)
}

// syncRequestPending says whether a sync-requested-at token waits to be handled.
func syncRequestPending(o *syncObservation) bool {
	token := o.sync.Annotations[v1alpha1.SyncRequestedAtAnnotation]
	return token != "" && token != o.sync.Status.LastHandledSyncRequest && o.blocked == nil
}

// handleSyncRequest runs one fulfillment-channel manual sync per new sync-requested-at token,
// when the mode pushes such syncs. The token is echoed either way, except while a dependency
// is missing: the request then waits for it. While a run of the sync is in progress the
// request is queued (the RunQueued condition) and its Job created once that run ended; a
// newer token asked for meanwhile replaces it.
func (r *InventorySyncReconciler) handleSyncRequest(ctx context.Context, o *syncObservation) error {
	sync := o.sync
	token := sync.Annotations[v1alpha1.SyncRequestedAtAnnotation]
	queued := channelRunQueued(o)
	defer func() {
		if queued != "" {
			o.queued = append(o.queued, queued)
		}
	}()
	if !syncRequestPending(o) {
		return nil
	}
	name := workload.ManualJobName(sync.Name, workload.KindFulfillmentManual, token)
	if hasJob(o, name) {
		// This request's own Job, started by a reconcile whose status this one's stale
		// read of the sync does not show yet: handled, not queued behind itself.
		sync.Status.LastHandledSyncRequest = token
		return nil
	}
	if running := runningJob(o); running != "" && o.push != policy.NoPush {
		queued = fmt.Sprintf("manual sync %s waits for Job %s to end: one run of an InventorySync at a time", token, running)
		o.requeueAt(o.now.Add(queuedRecheck))
		return nil
	}
	if o.push == policy.NoPush {
		r.Recorder.Eventf(sync, nil, corev1.EventTypeWarning, v1alpha1.ReasonModeDoesNotPush, "Sync",
			"manual sync %s not run: SalesChannel %s's effective mode %s does not push fulfillment-channel syncs; annotate the SalesChannel for a sales-channel manual sync",
			token, o.channel.Name, sync.Status.EffectiveMode)
		sync.Status.LastHandledSyncRequest = token
		return nil
	}
	run := runFor(sync, o.channel, v1alpha1.TriggerFulfillmentManual, workload.StrategyFor(o.push))
	created, err := r.launcher.launch(ctx, run, name, token)
	if err != nil {
		return err
	}
	if created {
		o.started = name
		r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, "ManualSyncStarted", "Sync", "manual sync %s: started Job %s (%s)", token, name, run.Strategy)
	}
	sync.Status.LastHandledSyncRequest = token
	return nil
}

// observeRuns fills active runs, lastRun and lastSuccessfulRun from the sync's Jobs, and
// prunes the finished manual Jobs past the history limits (the CronJob prunes its own).
func (r *InventorySyncReconciler) observeRuns(ctx context.Context, o *syncObservation) error {
	sync := o.sync
	jobs, err := r.listJobs(ctx, sync, false)
	if err != nil {
		return err
	}
	active, finished := sortRuns(jobs)
	sync.Status.Active = active
	o.jobs = jobs

	var newestOK *finishedJob
	for i := range finished {
		if finished[i].succeeded {
			newestOK = &finished[i]
			break
		}
	}
	if len(finished) > 0 && isNewer(finished[0], sync.Status.LastRun) {
		run, err := r.runs.read(ctx, finished[0])
		if err != nil {
			return err
		}
		sync.Status.LastRun = run
		recordWrittenSnapshot(sync, run)
		metrics.CountRun(sync.Namespace, sync.Name, *run)
		switch run.Result {
		case v1alpha1.RunSucceeded:
			r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, v1alpha1.ReasonLastRunSucceeded, "Sync", "run %s succeeded: %s", run.Job, summary(run))
		case v1alpha1.RunSuperseded:
			r.Recorder.Eventf(sync, nil, corev1.EventTypeNormal, v1alpha1.ReasonLastRunSuperseded, "Sync", "run %s was superseded: %s", run.Job, run.Message)
		default:
			r.Recorder.Eventf(sync, nil, corev1.EventTypeWarning, v1alpha1.ReasonLastRunFailed, "Sync", "run %s failed: %s", run.Job, summary(run))
		}
	}
	if newestOK != nil && isNewer(*newestOK, sync.Status.LastSuccessfulRun) {
		if sync.Status.LastRun != nil && sync.Status.LastRun.Job == newestOK.job.Name {
			sync.Status.LastSuccessfulRun = sync.Status.LastRun.DeepCopy()
		} else {
			run, err := r.runs.read(ctx, *newestOK)
			if err != nil {
				return err
			}
			sync.Status.LastSuccessfulRun = run
		}
	}
	return r.pruneManualJobs(ctx, sync, finished)
}

// recordWrittenSnapshot keeps the newest feed snapshot a run wrote, which every later run
// is told so that it never writes older levels over it.
func recordWrittenSnapshot(sync *v1alpha1.InventorySync, run *v1alpha1.SyncRun) {
	t := run.SnapshotTime
	if t == nil || (sync.Status.WrittenSnapshotTime != nil && !t.After(sync.Status.WrittenSnapshotTime.Time)) {
		return
	}
	sync.Status.WrittenSnapshotTime = t.DeepCopy()
}

// isNewer says whether a finished Job is a later run than the one recorded.
func isNewer(f finishedJob, recorded *v1alpha1.SyncRun) bool {
	if recorded == nil {
		return true
	}
	if recorded.Job == f.job.Name {
		return false
	}
	return recorded.CompletionTime == nil || !f.at.Before(recorded.CompletionTime.Time)
}

// pruneManualJobs deletes the oldest finished Jobs this manager created directly (one-off
// and manual runs) past the sync's history limits. Scheduled Jobs belong to the CronJob,
// which applies the same limits to its own.
func (r *InventorySyncReconciler) pruneManualJobs(ctx context.Context, sync *v1alpha1.InventorySync, finished []finishedJob) error {
	keepOK := int(sync.Spec.SuccessfulRunsHistoryLimitOrDefault())
	keepFailed := int(sync.Spec.FailedRunsHistoryLimitOrDefault())
	for _, f := range finished {
		if !metav1.IsControlledBy(f.job, sync) || f.job.DeletionTimestamp != nil {
			continue
		}
		keep := &keepOK
		if !f.succeeded {
			keep = &keepFailed
		}
		if *keep > 0 {
			*keep--
			continue
		}
		// The one-off Job stays: deleting it would not run it again, but it is the sync's record.
		if f.job.Name == workload.OneOffJobName(sync.Name) {
			continue
		}
		if err := r.Delete(ctx, f.job, client.PropagationPolicy(metav1.DeletePropagationBackground)); client.IgnoreNotFound(err) != nil {
			return err
		}
	}
	return nil
}

// SetupWithManager watches InventorySyncs, their CronJobs and Jobs (those of the CronJob
// too, by label), their SalesChannels, and the metadata of the Secrets and mapping
// ConfigMaps they need.
func (r *InventorySyncReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	r.launcher = launcher{client: r.Client, scheme: mgr.GetScheme(), image: r.Image, memoryLimit: r.SyncMemoryLimit, relay: r.Relay}
	r.runs = runReader{pods: r.APIReader}
	if r.Now == nil {
		r.Now = time.Now
	}
	c := mgr.GetClient()
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.InventorySync{}, builder.WithPredicates(specOrAnnotationChanged)).
		Owns(&batchv1.CronJob{}).
		Watches(&batchv1.Job{}, handler.EnqueueRequestsFromMapFunc(syncOfJob)).
		Watches(&v1alpha1.SalesChannel{}, handler.EnqueueRequestsFromMapFunc(syncsOfChannel(c)), builder.WithPredicates(specOrAnnotationChanged)).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(syncsUsingSecret(c)), builder.OnlyMetadata).
		Watches(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(syncsUsingConfigMap(c)), builder.OnlyMetadata).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(concurrency, 1)}).
		Named("inventorysync").
		Complete(r)
}

// observeMetrics reports the sync's status as metrics, every reconcile, so they survive a
// manager restart.
func observeMetrics(o *syncObservation) {
	sync := o.sync
	metrics.ObserveInventorySync(metrics.InventorySync{
		Namespace: sync.Namespace, Name: sync.Name, Channel: sync.Spec.SalesChannelRef.Name,
		Suspended:        isTrue(sync.Status.Conditions, v1alpha1.ConditionSuspended),
		ScheduleInterval: o.scheduleInterval,
		LastRun:          sync.Status.LastRun,
		LastSuccess:      sync.Status.LastSuccessfulRun,
		Drift:            sync.Status.Drift,
	})
}
