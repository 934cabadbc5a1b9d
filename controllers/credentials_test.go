package controllers

import (
	"context"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// countingReader counts the reads that reach the API server.
type countingReader struct {
	client.Reader
	gets atomic.Int32
}

func (r *countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	r.gets.Add(1)
	return r.Reader.Get(ctx, key, obj, opts...)
}

var _ = Describe("SecretKeys", func() {
	It("reads a Secret from the API server once per version, and follows changes and deletion", func() {
		ns := newNamespace()
		api := &countingReader{Reader: k8s}
		keys := NewSecretKeys(k8s, api)
		ref := v1alpha1.SecretKeySelector{Name: "store-admin", Key: "token"}
		check := func() *blocker {
			b, err := keys.check(ctx, ns, ref, "channel credentials")
			Expect(err).NotTo(HaveOccurred())
			return b
		}

		Expect(check()).To(HaveField("Reason", v1alpha1.ReasonSecretNotFound))
		secret := credentials(ns, "store-admin")
		Expect(k8s.Create(ctx, secret)).To(Succeed())
		Expect(check()).To(BeNil())
		readsAfterCreate := api.gets.Load()
		Expect(check()).To(BeNil())
		Expect(check()).To(BeNil())
		Expect(api.gets.Load()).To(Equal(readsAfterCreate), "an unchanged Secret was read again")

		delete(secret.Data, "token")
		Expect(k8s.Update(ctx, secret)).To(Succeed())
		Expect(check()).To(HaveField("Reason", v1alpha1.ReasonSecretKeyNotFound))
		Expect(api.gets.Load()).To(Equal(readsAfterCreate + 1))

		Expect(k8s.Delete(ctx, secret)).To(Succeed())
		Expect(check()).To(HaveField("Reason", v1alpha1.ReasonSecretNotFound))
	})
})
