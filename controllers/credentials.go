package controllers

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// SecretKeys says whether a Secret exists and has a key, without keeping any Secret's value:
// the manager caches Secrets' metadata only. A Secret is read from the API server once per
// resourceVersion and only the names of its keys are remembered, so a reconcile reads a
// Secret from the API server only when it changed since the last read, not on every pass.
type SecretKeys struct {
	// metadata is the cache, which holds Secrets as metadata (the reconcilers watch them so).
	metadata client.Reader
	// api reads a Secret whose key names are not known for its current resourceVersion.
	api client.Reader

	mu   sync.Mutex
	seen map[types.NamespacedName]secretKeyNames
}

// secretKeyNames are the key names of a Secret at one resourceVersion.
type secretKeyNames struct {
	resourceVersion string
	keys            map[string]struct{}
}

// NewSecretKeys checks Secrets' keys with metadata from the cache and values from the API.
func NewSecretKeys(metadata, api client.Reader) *SecretKeys {
	return &SecretKeys{metadata: metadata, api: api, seen: map[types.NamespacedName]secretKeyNames{}}
}

// check returns what blocks use of the Secret's key, if anything. The value is never read
// into a message. One of the operator's own Secrets (v1alpha1.IsOperatorSecret) is refused
// whether or not it exists: its name or its label, not its content, makes it the operator's.
func (s *SecretKeys) check(ctx context.Context, namespace string, ref v1alpha1.SecretKeySelector, purpose string) (*blocker, error) {
	if v1alpha1.IsOperatorSecretName(ref.Name) {
		return operatorSecret(ref.Name), nil
	}
	name := types.NamespacedName{Namespace: namespace, Name: ref.Name}
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	err := s.metadata.Get(ctx, name, meta)
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("reading Secret %q: %w", ref.Name, err)
	}
	labels := meta.Labels
	keys, known := s.known(name, meta.ResourceVersion)
	if err != nil || !known {
		// Not in the cache (perhaps not yet) or changed since the last read: ask the API server.
		if keys, labels, err = s.read(ctx, name); err != nil {
			return nil, fmt.Errorf("reading Secret %q: %w", ref.Name, err)
		}
	}
	if v1alpha1.IsOperatorSecret(ref.Name, labels) {
		return operatorSecret(ref.Name), nil
	}
	if keys == nil {
		return missing(v1alpha1.ReasonSecretNotFound, fmt.Sprintf("Secret %q holding the %s does not exist", ref.Name, purpose)), nil
	}
	if _, ok := keys[ref.Key]; !ok {
		return missing(v1alpha1.ReasonSecretKeyNotFound, fmt.Sprintf("Secret %q has no key %q for the %s", ref.Name, ref.Key, purpose)), nil
	}
	return nil, nil
}

func (s *SecretKeys) known(name types.NamespacedName, resourceVersion string) (map[string]struct{}, bool) {
	if resourceVersion == "" {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen, ok := s.seen[name]
	return seen.keys, ok && seen.resourceVersion == resourceVersion
}

// operatorSecret refuses one of the operator's own Secrets as a credential. Only a change of
// the reference (or of the Secret's label) clears it.
func operatorSecret(name string) *blocker {
	return specProblem(v1alpha1.ReasonOperatorSecret, v1alpha1.OperatorSecretMessage(name))
}

// read fetches the Secret's key names and labels from the API server and remembers the key
// names; nil when the Secret does not exist.
func (s *SecretKeys) read(ctx context.Context, name types.NamespacedName) (map[string]struct{}, map[string]string, error) {
	var secret corev1.Secret
	err := s.api.Get(ctx, name, &secret)
	s.mu.Lock()
	defer s.mu.Unlock()
	if apierrors.IsNotFound(err) {
		delete(s.seen, name)
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	keys := make(map[string]struct{}, len(secret.Data))
	for k := range secret.Data {
		keys[k] = struct{}{}
	}
	s.seen[name] = secretKeyNames{resourceVersion: secret.ResourceVersion, keys: keys}
	return keys, secret.Labels, nil
}
