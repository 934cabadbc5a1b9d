package workload

import (
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/policy"
	"github.com/techoms/inventory-operator/internal/syncpod"
)

// ContainerName is the sync container of every run's pod; the manager reads its
// termination message.
const ContainerName = "sync"

// Exit codes of the sync role. A run that cannot succeed by retrying (a malformed feed, a bad
// setting) exits with ExitPermanent and the Job fails at once instead of retrying.
const (
	ExitPartial   = 1
	ExitPermanent = 2
)

// Run is one run to render: the sync, its channel, what caused it and how it writes.
type Run struct {
	Sync     *v1alpha1.InventorySync
	Channel  *v1alpha1.SalesChannel
	Image    string
	Trigger  v1alpha1.Trigger
	Strategy v1alpha1.Strategy
	// MemoryLimit is the sync container's memory limit in bytes; zero means
	// syncpod.PodMemoryLimit, the limit the feed's caps are sized for.
	MemoryLimit int64
	// PlanOnly makes the run a plan, which writes nothing.
	PlanOnly bool
	// Relay is where a sync with reservations reads them.
	Relay RelayAccess
}

// memory is the sync container's limit, and the Go runtime's soft limit in the same ratio
// as the defaults: the collector works harder well before the kernel would kill the pod.
func (r Run) memory() (limit, soft int64) {
	limit = r.MemoryLimit
	if limit <= 0 {
		limit = syncpod.PodMemoryLimit
	}
	return limit, int64(float64(limit) * syncpod.SoftMemoryLimit / syncpod.PodMemoryLimit)
}

// StrategyFor maps the trigger table's decision to the strategy a run writes with.
func StrategyFor(p policy.Push) v1alpha1.Strategy {
	if p == policy.Incremental {
		return v1alpha1.StrategyIncremental
	}
	return v1alpha1.StrategyAbsolute
}

// JobLabels are the labels of a run's Job and its pods.
func JobLabels(syncName string, trigger v1alpha1.Trigger) map[string]string {
	return map[string]string{
		LabelManagedBy:     ManagedByValue,
		LabelInventorySync: syncName,
		LabelTrigger:       string(trigger),
	}
}

// JobTemplate renders the Job of one run.
func JobTemplate(r Run) batchv1.JobTemplateSpec {
	sync := r.Sync
	deadline := sync.Spec.RunDeadlineSeconds()
	labels := JobLabels(sync.Name, r.Trigger)
	if r.PlanOnly {
		labels[LabelPlan] = "true"
	}
	return batchv1.JobTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: batchv1.JobSpec{
			BackoffLimit:          ptr.To[int32](2),
			ActiveDeadlineSeconds: &deadline,
			// A permanent failure (malformed feed, bad setting) is not retried.
			PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
				Action: batchv1.PodFailurePolicyActionFailJob,
				OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{
					ContainerName: ptr.To(ContainerName),
					Operator:      batchv1.PodFailurePolicyOnExitCodesOpIn,
					Values:        []int32{ExitPermanent},
				},
			}}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       podSpec(r),
			},
		},
	}
}

func podSpec(r Run) corev1.PodSpec {
	sync, ch := r.Sync, r.Channel
	duplicates := ch.Spec.Inventory.DuplicateSKUs
	if duplicates == "" || !policy.DuplicateSKUsSupported(string(ch.Spec.Platform)) {
		// Only Shopify honours the policy; elsewhere shared SKUs are left alone.
		duplicates = v1alpha1.DuplicateSKUsSkip
	}
	var feeds []syncpod.Feed
	var feedTokens []corev1.EnvVar
	for i, feed := range sync.Spec.FulfillmentChannel.FeedList() {
		format := feed.Format
		if format == "" {
			format = v1alpha1.FeedFormatCSV
		}
		feeds = append(feeds, syncpod.Feed{Name: literal(feed.Name), URL: literal(feed.URL), Format: literal(format)})
		if ref := feed.BearerTokenSecretRef; ref != nil {
			feedTokens = append(feedTokens, secretEnv(syncpod.FeedTokenEnv(i), *ref))
		}
	}
	plan := ch.Spec.Connection.Plan
	var quantity v1alpha1.QuantityName
	if ch.Spec.Platform == v1alpha1.PlatformShopify {
		if plan == "" {
			plan = v1alpha1.PlanStandard
		}
		quantity = ch.Spec.Inventory.Quantity()
	}
	// Every value but the run ID is a literal: the kubelet expands $(NAME) in args.
	cfg := syncpod.Config{
		Platform:      literal(ch.Spec.Platform),
		ChannelURL:    literal(ch.Spec.Connection.URL),
		Plan:          literal(plan),
		LocationID:    literal(sync.Spec.FulfillmentChannel.LocationID),
		Feeds:         feeds,
		Strategy:      literal(r.Strategy),
		DuplicateSKUs: literal(duplicates),
		QuantityName:  literal(quantity),
		// Only Shopify reports items as not stocked at a location.
		StockUnstockedItems: ch.Spec.Inventory.StockUnstockedItems && ch.Spec.Platform == v1alpha1.PlatformShopify,
		Trigger:             literal(r.Trigger),
		// Numbers need no escaping.
		Allocation: v1alpha1.EffectiveAllocation(sync, ch),
		PlanOnly:   r.PlanOnly,
		// A time the manager formats; the run writes nothing older than it.
		WrittenSnapshot: writtenSnapshot(sync),
		// Expanded from the environment by the kubelet.
		RunID: "$(" + syncpod.EnvRunID + ")",
	}
	volumes, mounts, mappingToken := mappingSource(&cfg, v1alpha1.EffectiveMapping(sync, ch))
	env := []corev1.EnvVar{
		{Name: syncpod.EnvRunID, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
			FieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']",
		}}},
		secretEnv(syncpod.EnvChannelCredentials, ch.Spec.Connection.CredentialsSecretRef),
	}
	env = append(env, feedTokens...)
	env = append(env, mappingToken...)
	env = append(env, reservationsSource(&cfg, r)...)
	memoryLimit, softLimit := r.memory()
	env = append(env, corev1.EnvVar{Name: "GOMEMLIMIT", Value: strconv.FormatInt(softLimit, 10)})
	return corev1.PodSpec{
		RestartPolicy:                 corev1.RestartPolicyNever,
		AutomountServiceAccountToken:  ptr.To(false),
		EnableServiceLinks:            ptr.To(false),
		TerminationGracePeriodSeconds: ptr.To[int64](30),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr.To(true),
			RunAsUser:      ptr.To[int64](65532),
			RunAsGroup:     ptr.To[int64](65532),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Volumes: volumes,
		Containers: []corev1.Container{{
			Name:                     ContainerName,
			Image:                    r.Image,
			Args:                     append([]string{"sync"}, cfg.Args()...),
			Env:                      env,
			VolumeMounts:             mounts,
			TerminationMessagePath:   syncpod.DefaultResultPath,
			TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse("100m"),
					corev1.ResourceMemory: *resource.NewQuantity(min(128<<20, memoryLimit), resource.BinarySI),
				},
				Limits: corev1.ResourceList{
					corev1.ResourceMemory: *resource.NewQuantity(memoryLimit, resource.BinarySI),
				},
			},
			SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr.To(false),
				ReadOnlyRootFilesystem:   ptr.To(true),
				RunAsNonRoot:             ptr.To(true),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
		}},
	}
}

// writtenSnapshot is the newest feed snapshot a run of the sync wrote, zero when none did.
func writtenSnapshot(sync *v1alpha1.InventorySync) time.Time {
	if t := sync.Status.WrittenSnapshotTime; t != nil {
		return t.Time
	}
	return time.Time{}
}

func secretEnv(name string, ref v1alpha1.SecretKeySelector) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name},
		Key:                  ref.Key,
	}}}
}

// mappingSource points cfg at the catalog mapping. A ConfigMap's key is mounted read-only at
// syncpod.MappingPath: the kubelet reads the ConfigMap with the node's credentials, so the pod
// keeps running without a service account token. A feed is read by the pod like a level
// feed, its URL an argument and its token a secretKeyRef variable. Without a mapping the pod
// has no volume.
func mappingSource(cfg *syncpod.Config, m *v1alpha1.CatalogMapping) ([]corev1.Volume, []corev1.VolumeMount, []corev1.EnvVar) {
	if m == nil {
		return nil, nil, nil
	}
	cfg.MappingUnmapped = literal(m.Unmapped)
	if cfg.MappingUnmapped == "" {
		cfg.MappingUnmapped = v1alpha1.UnmappedSelf
	}
	if feed := m.Feed; feed != nil {
		cfg.MappingURL = literal(feed.URL)
		cfg.MappingFormat = literal(feed.Format)
		if cfg.MappingFormat == "" {
			cfg.MappingFormat = v1alpha1.FeedFormatCSV
		}
		var env []corev1.EnvVar
		if ref := feed.BearerTokenSecretRef; ref != nil {
			env = append(env, secretEnv(syncpod.EnvMappingToken, *ref))
		}
		return nil, nil, env
	}
	if m.ConfigMapRef == nil {
		return nil, nil, nil
	}
	cfg.MappingFile = syncpod.MappingPath
	return []corev1.Volume{{
			Name: syncpod.MappingVolume,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: m.ConfigMapRef.Name},
				Items:                []corev1.KeyToPath{{Key: m.ConfigMapRef.Key, Path: syncpod.MappingFileName}},
				DefaultMode:          ptr.To[int32](0o444),
			}},
		}}, []corev1.VolumeMount{{
			Name:      syncpod.MappingVolume,
			MountPath: syncpod.MappingMountPath,
			ReadOnly:  true,
		}}, nil
}
