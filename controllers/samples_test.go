package controllers

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

var _ = Describe("The samples in config/samples", func() {
	It("apply cleanly and the channel with credentials becomes Ready", func() {
		// Apply in the order the kustomization lists them, as kubectl apply -k does.
		var kustomization struct {
			Resources []string `json:"resources"`
		}
		data, err := os.ReadFile(filepath.Join("..", "config", "samples", "kustomization.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(sigsyaml.Unmarshal(data, &kustomization)).To(Succeed())
		applied := 0
		for _, f := range kustomization.Resources {
			data, err := os.ReadFile(filepath.Join("..", "config", "samples", f))
			Expect(err).NotTo(HaveOccurred())
			dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
			for {
				var obj unstructured.Unstructured
				if err := dec.Decode(&obj.Object); errors.Is(err, io.EOF) {
					break
				} else {
					Expect(err).NotTo(HaveOccurred(), f)
				}
				if obj.GetKind() != "Namespace" {
					obj.SetNamespace("retail")
				}
				Expect(k8s.Patch(ctx, &obj, client.Apply, client.FieldOwner("samples"), client.ForceOwnership)).To(Succeed(), f)
				applied++
			}
		}
		Expect(applied).To(BeNumerically(">=", 5))

		ch := &v1alpha1.SalesChannel{}
		ch.Namespace, ch.Name = "retail", "shopify-eu"
		Eventually(condition(ch, func() []metav1.Condition { return ch.Status.Conditions }, v1alpha1.ConditionReady)).
			Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonCredentialsFound))
		s := &v1alpha1.InventorySync{}
		s.Namespace, s.Name = "retail", "berlin-to-shopify-eu"
		Eventually(condition(s, func() []metav1.Condition { return s.Status.Conditions }, v1alpha1.ConditionReady)).
			Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
	})
})
