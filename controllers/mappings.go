package controllers

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/skumap"
)

// Mappings validates catalog mappings held in ConfigMaps. The manager caches ConfigMaps'
// metadata only, as it does Secrets': a mapping is read from the API server, parsed and
// validated once per resourceVersion, and only the verdict is remembered, never the rows, so
// many syncs sharing one large catalog cost one read and no cache of its content.
type Mappings struct {
	metadata client.Reader
	api      client.Reader

	mu   sync.Mutex
	seen map[mappingKey]mappingVerdict
}

type mappingKey struct {
	configMap types.NamespacedName
	key       string
	unmapped  v1alpha1.UnmappedSKUs
}

// mappingVerdict is what one resourceVersion of a ConfigMap's key makes of a mapping.
type mappingVerdict struct {
	resourceVersion string
	summary         mappingSummary
	problem         *blocker
}

// mappingSummary counts a valid mapping's rows and the channel SKUs they define.
type mappingSummary struct {
	rows, kits, aliases int64
}

// NewMappings checks mappings with metadata from the cache and content from the API.
func NewMappings(metadata, api client.Reader) *Mappings {
	return &Mappings{metadata: metadata, api: api, seen: map[mappingKey]mappingVerdict{}}
}

// check returns the mapping's counts, or what keeps it from use: a ConfigMap or key that does
// not exist yet, or rows that fail validation (the message names them). All of them clear
// when the ConfigMap changes, which the reconcilers watch.
func (m *Mappings) check(ctx context.Context, namespace string, ref v1alpha1.ConfigMapKeySelector, unmapped v1alpha1.UnmappedSKUs) (mappingSummary, *blocker, error) {
	k := mappingKey{configMap: types.NamespacedName{Namespace: namespace, Name: ref.Name}, key: ref.Key, unmapped: unmapped}
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
	err := m.metadata.Get(ctx, k.configMap, meta)
	if err != nil && !apierrors.IsNotFound(err) {
		return mappingSummary{}, nil, fmt.Errorf("reading ConfigMap %q: %w", ref.Name, err)
	}
	if err == nil {
		m.mu.Lock()
		v, ok := m.seen[k]
		m.mu.Unlock()
		if ok && v.resourceVersion == meta.ResourceVersion {
			return v.summary, v.problem, nil
		}
	}
	// Not in the cache (perhaps not yet) or changed since the last read: ask the API server.
	var cm corev1.ConfigMap
	if err := m.api.Get(ctx, k.configMap, &cm); err != nil {
		if apierrors.IsNotFound(err) {
			m.forget(k)
			return mappingSummary{}, missing(v1alpha1.ReasonConfigMapNotFound,
				fmt.Sprintf("ConfigMap %q holding the catalog mapping does not exist", ref.Name)), nil
		}
		return mappingSummary{}, nil, fmt.Errorf("reading ConfigMap %q: %w", ref.Name, err)
	}
	v := mappingVerdict{resourceVersion: cm.ResourceVersion}
	v.summary, v.problem = validateMapping(&cm, ref.Key, unmapped)
	m.mu.Lock()
	m.seen[k] = v
	m.mu.Unlock()
	return v.summary, v.problem, nil
}

func (m *Mappings) forget(k mappingKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.seen, k)
}

// validateMapping parses and validates the key's rows as the sync pod will.
func validateMapping(cm *corev1.ConfigMap, key string, unmapped v1alpha1.UnmappedSKUs) (mappingSummary, *blocker) {
	var text []byte
	if s, ok := cm.Data[key]; ok {
		text = []byte(s)
	} else if b, ok := cm.BinaryData[key]; ok {
		text = b
	} else {
		return mappingSummary{}, missing(v1alpha1.ReasonConfigMapKeyNotFound,
			fmt.Sprintf("ConfigMap %q has no key %q for the catalog mapping", cm.Name, key))
	}
	parsed, err := skumap.ParseCSV(bytes.NewReader(text), skumap.Unmapped(unmapped))
	if err != nil {
		return mappingSummary{}, missing(v1alpha1.ReasonMappingInvalid,
			fmt.Sprintf("ConfigMap %q, key %q: %v; runs wait until it is fixed", cm.Name, key, err))
	}
	s := mappingSummary{rows: int64(parsed.Rows())}
	s.kits, s.aliases = parsed.Kinds()
	return s, nil
}
