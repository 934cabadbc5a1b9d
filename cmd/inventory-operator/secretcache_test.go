package main

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// `kubectl apply` stores a Secret's data in an annotation: the manager's cache must not keep it.
func TestTheSecretCacheDropsAnnotations(t *testing.T) {
	opts, err := managerConfig(managerOptions{metricsAddr: "0", probeAddr: "0"})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for obj, byObject := range opts.Cache.ByObject {
		if _, ok := obj.(*corev1.Secret); !ok {
			continue
		}
		found = true
		if byObject.Transform == nil {
			t.Fatal("Secrets are cached without a transform")
		}
		secret := &metav1.PartialObjectMetadata{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: metav1.ObjectMeta{
				Name: "shop-token", Namespace: "retail", ResourceVersion: "42",
				Labels: map[string]string{"team": "retail"},
				Annotations: map[string]string{
					"kubectl.kubernetes.io/last-applied-configuration": `{"apiVersion":"v1","kind":"Secret","data":{"token":"c2hwYXRfc2VjcmV0"}}`,
				},
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
			},
		}
		out, err := byObject.Transform(secret)
		if err != nil {
			t.Fatal(err)
		}
		got := out.(*metav1.PartialObjectMetadata)
		if len(got.Annotations) != 0 || len(got.ManagedFields) != 0 {
			t.Errorf("the cached Secret keeps annotations %v and managed fields %v", got.Annotations, got.ManagedFields)
		}
		if got.Name != "shop-token" || got.ResourceVersion != "42" || got.Labels["team"] != "retail" {
			t.Errorf("the cached Secret lost what the manager needs: %+v", got.ObjectMeta)
		}
	}
	if !found {
		t.Fatal("the manager's cache has no setting for Secrets: their annotations are cached")
	}
}
