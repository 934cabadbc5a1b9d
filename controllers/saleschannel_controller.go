package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/metrics"
	"github.com/techoms/inventory-operator/internal/policy"
	"github.com/techoms/inventory-operator/internal/workload"
)

// SalesChannelReconciler reports a SalesChannel's effective mode and readiness, and runs
// sales-channel manual syncs.
type SalesChannelReconciler struct {
	client.Client
	// SecretKeys checks the credentials Secret, which the cache holds as metadata only.
	SecretKeys *SecretKeys
	Recorder   events.EventRecorder
	launcher   launcher
	// Image is the image the sync Jobs run.
	Image string
	// SyncMemoryLimit is the sync containers' memory limit in bytes; zero for the default.
	SyncMemoryLimit int64
	// Relay is where sync pods of syncs with reservations read them.
	Relay workload.RelayAccess
}

// +kubebuilder:rbac:groups=inventory.techoms.io,resources=saleschannels,verbs=get;list;watch
// +kubebuilder:rbac:groups=inventory.techoms.io,resources=saleschannels/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=inventory.techoms.io,resources=inventorysyncs,verbs=get;list;watch
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch;create;delete
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

func (r *SalesChannelReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, err error) {
	var ch v1alpha1.SalesChannel
	if err := r.Get(ctx, req.NamespacedName, &ch); err != nil {
		if apierrors.IsNotFound(err) {
			metrics.ForgetSalesChannel(req.Namespace, req.Name)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before := ch.DeepCopy()
	status := &ch.Status
	status.ObservedGeneration = ch.Generation
	conds := conditionSet{conditions: &status.Conditions, generation: ch.Generation}
	// Status is written whatever happens: a reconcile that fails says so and that it retries.
	defer func() {
		if err != nil {
			conds.retrying(err)
		}
		err = errors.Join(err, patchStatus(ctx, r.Client, &ch, before, equality.Semantic.DeepEqual(before.Status, ch.Status)))
		metrics.ObserveSalesChannel(ch.Namespace, ch.Name, status.EffectiveMode, isTrue(status.Conditions, v1alpha1.ConditionReady))
	}()

	mode, overridden := effectiveMode(&ch)
	if status.EffectiveMode != mode && overridden {
		r.Recorder.Eventf(&ch, nil, corev1.EventTypeWarning, v1alpha1.ReasonDuplicateSKUsUpdateAll, "Reconcile",
			"duplicateSKUs: UpdateAll forces the effective mode to %s instead of %s", mode, ch.Spec.Inventory.Mode)
	}
	status.EffectiveMode = mode
	conds.flag(v1alpha1.ConditionModeOverridden, overridden, v1alpha1.ReasonDuplicateSKUsUpdateAll,
		fmt.Sprintf("duplicateSKUs: UpdateAll forces the effective mode to %s; spec.inventory.mode %s does not apply", mode, ch.Spec.Inventory.Mode))
	unsupported := ch.Spec.Inventory.DuplicateSKUs == v1alpha1.DuplicateSKUsUpdateAll && !policy.DuplicateSKUsSupported(string(ch.Spec.Platform))
	conds.flag(v1alpha1.ConditionDuplicateSKUsUnsupported, unsupported, v1alpha1.ReasonPlatformUnsupported,
		fmt.Sprintf("platform %s does not support duplicate-SKU handling: UpdateAll still forces the effective mode, but items sharing a SKU are left untouched", ch.Spec.Platform))

	missing, err := r.SecretKeys.check(ctx, ch.Namespace, ch.Spec.Connection.CredentialsSecretRef, "channel credentials")
	if err != nil {
		return ctrl.Result{}, err
	}
	wasReady := isTrue(before.Status.Conditions, v1alpha1.ConditionReady)
	conds.reconciling(false, "", "")
	if missing != nil {
		conds.ready(false, missing.Reason, missing.Message, false)
		if wasReady || len(before.Status.Conditions) == 0 {
			r.Recorder.Eventf(&ch, nil, corev1.EventTypeWarning, missing.Reason, "Reconcile", "%s", missing.Message)
		}
	} else {
		conds.ready(true, v1alpha1.ReasonCredentialsFound, fmt.Sprintf("credentials found; effective mode %s", mode), false)
	}

	// A sales-channel manual sync waits for the credentials: its Jobs could not start without them.
	if token := ch.Annotations[v1alpha1.SyncRequestedAtAnnotation]; token != "" && token != status.LastHandledSyncRequest && missing == nil {
		waiting, err := r.runManualSync(ctx, &ch, token)
		if err != nil {
			return ctrl.Result{}, err
		}
		if waiting > 0 {
			// The token stays unhandled until every InventorySync's run has started.
			return ctrl.Result{RequeueAfter: queuedRecheck}, nil
		}
		status.LastHandledSyncRequest = token
	}
	return ctrl.Result{}, nil
}

// runManualSync starts one run of every InventorySync of the channel, with full values, in
// every mode (the trigger table's sales channel manual sync). A sync with a run in progress
// gets its run once that one ended: waiting counts those, for which the request is asked
// again.
func (r *SalesChannelReconciler) runManualSync(ctx context.Context, ch *v1alpha1.SalesChannel, token string) (waiting int, err error) {
	var syncs v1alpha1.InventorySyncList
	if err := r.List(ctx, &syncs, client.InNamespace(ch.Namespace), client.MatchingFields{indexSalesChannel: ch.Name}); err != nil {
		return 0, err
	}
	strategy := workload.StrategyFor(decide(ch, policy.SalesChannelManualSync))
	var started []string
	for i := range syncs.Items {
		sync := &syncs.Items[i]
		name := workload.ManualJobName(sync.Name, workload.KindSalesChannelManual, token)
		busy, err := r.busyWith(ctx, sync, name)
		if err != nil {
			return 0, err
		}
		if busy {
			waiting++
			continue
		}
		// The channel's credential was checked; a sync's feed tokens were not, and a run
		// would send them to the sync's feed URL.
		refused, err := r.refusedFeedToken(ctx, sync, ch)
		if err != nil {
			return 0, err
		}
		if refused != nil {
			r.Recorder.Eventf(sync, ch, corev1.EventTypeWarning, refused.Reason, "Sync",
				"sales-channel manual sync of %s requested (%s): not started: %s", ch.Name, token, refused.Message)
			continue
		}
		created, err := r.launcher.launch(ctx, runFor(sync, ch, v1alpha1.TriggerSalesChannelManual, strategy), name, token)
		if err != nil {
			return 0, err
		}
		if created {
			started = append(started, name)
			r.Recorder.Eventf(sync, ch, corev1.EventTypeNormal, "ManualSyncStarted", "Sync",
				"sales-channel manual sync of %s requested (%s): started Job %s", ch.Name, token, name)
		}
	}
	log.FromContext(ctx).Info("sales-channel manual sync", "token", token, "jobs", len(started), "waiting", waiting)
	if len(started) > 0 || waiting == 0 {
		r.Recorder.Eventf(ch, nil, corev1.EventTypeNormal, "ManualSyncStarted", "Sync",
			"sales-channel manual sync %s: %d of %d InventorySyncs started: %s%s", token, len(started), len(syncs.Items), strings.Join(started, ", "), waitingNote(waiting))
	}
	return waiting, nil
}

// busyWith says whether a run of sync other than the Job named name is in progress, so that
// Job must wait. It is false once that Job exists: the run was started.
func (r *SalesChannelReconciler) busyWith(ctx context.Context, sync *v1alpha1.InventorySync, name string) (bool, error) {
	jobs, err := listSyncJobs(ctx, r.Client, sync, false)
	if err != nil {
		return false, err
	}
	for i := range jobs {
		if jobs[i].Name == name {
			return false, nil
		}
	}
	active, _ := sortRuns(jobs)
	return len(active) > 0, nil
}

func waitingNote(waiting int) string {
	if waiting == 0 {
		return ""
	}
	return fmt.Sprintf("; %d wait for their run in progress to end", waiting)
}

// refusedFeedToken returns the refusal of a feed token of sync, or of its mapping's, that
// names one of the operator's own Secrets, if one does.
func (r *SalesChannelReconciler) refusedFeedToken(ctx context.Context, sync *v1alpha1.InventorySync, ch *v1alpha1.SalesChannel) (*blocker, error) {
	var refs []*v1alpha1.SecretKeySelector
	for _, feed := range sync.Spec.FulfillmentChannel.FeedList() {
		refs = append(refs, feed.BearerTokenSecretRef)
	}
	// A mapping read from a URL sends its token there too.
	refs = append(refs, mappingToken(v1alpha1.EffectiveMapping(sync, ch)))
	for _, ref := range refs {
		if ref == nil {
			continue
		}
		b, err := r.SecretKeys.check(ctx, sync.Namespace, *ref, "feed's bearer token")
		if err != nil {
			return nil, err
		}
		if b != nil && b.Reason == v1alpha1.ReasonOperatorSecret {
			return b, nil
		}
	}
	return nil, nil
}

// SetupWithManager watches SalesChannels and the metadata of the Secrets they name.
func (r *SalesChannelReconciler) SetupWithManager(mgr ctrl.Manager, concurrency int) error {
	r.launcher = launcher{client: r.Client, scheme: mgr.GetScheme(), image: r.Image, memoryLimit: r.SyncMemoryLimit, relay: r.Relay}
	return ctrl.NewControllerManagedBy(mgr).
		For(&v1alpha1.SalesChannel{}, builder.WithPredicates(specOrAnnotationChanged)).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(channelsUsingSecret(mgr.GetClient())), builder.OnlyMetadata).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(concurrency, 1)}).
		Named("saleschannel").
		Complete(r)
}
