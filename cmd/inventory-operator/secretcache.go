package main

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
)

// secretCache is how the manager's cache holds Secrets, which the reconcilers watch as
// metadata only: without annotations and managed fields. `kubectl apply` keeps the whole
// Secret it applied, data included, in the kubectl.kubernetes.io/last-applied-configuration
// annotation, so metadata alone would still carry credentials into the manager's memory.
// Nothing the manager does reads a Secret's annotations or managed fields; its labels, name
// and resourceVersion stay.
func secretCache() cache.ByObject {
	return cache.ByObject{Transform: stripSecretMetadata}
}

// stripSecretMetadata drops what a cached Secret's metadata may carry of its data.
func stripSecretMetadata(obj any) (any, error) {
	if o, ok := obj.(metav1.Object); ok {
		o.SetAnnotations(nil)
		o.SetManagedFields(nil)
	}
	return obj, nil
}

// cachedSecret is the key of secretCache in the cache's options: the cache keeps one
// informer per kind, so this also covers the metadata-only watch of Secrets.
var cachedSecret = &corev1.Secret{}
