package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// checkSecretKey says whether the Secret exists and has the key. It reads through the API
// reader, not the cache, because the cache holds Secrets' metadata only; the value itself is
// never read into a message.
func checkSecretKey(ctx context.Context, r client.Reader, namespace string, ref v1alpha1.SecretKeySelector, purpose string) (*blocker, error) {
	var secret corev1.Secret
	err := r.Get(ctx, client.ObjectKey{Namespace: namespace, Name: ref.Name}, &secret)
	if apierrors.IsNotFound(err) {
		return missing(v1alpha1.ReasonSecretNotFound, fmt.Sprintf("Secret %q holding the %s does not exist", ref.Name, purpose)), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading Secret %q: %w", ref.Name, err)
	}
	if _, ok := secret.Data[ref.Key]; !ok {
		return missing(v1alpha1.ReasonSecretKeyNotFound, fmt.Sprintf("Secret %q has no key %q for the %s", ref.Name, ref.Key, purpose)), nil
	}
	return nil, nil
}
