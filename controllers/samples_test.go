package controllers

import (
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

var _ = Describe("The samples in config/samples", func() {
	It("apply cleanly and the channel with credentials becomes Ready", func() {
		applied := applyKustomizationDir(filepath.Join("..", "config", "samples"), "retail")
		Expect(applied).To(BeNumerically(">=", 5))

		ch := &v1alpha1.SalesChannel{}
		ch.Namespace, ch.Name = "retail", "shopify-eu"
		Eventually(condition(ch, func() []metav1.Condition { return ch.Status.Conditions }, v1alpha1.ConditionReady)).
			Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonCredentialsFound))
		for _, name := range []string{"berlin-to-shopify-eu", "north-to-shopify-eu"} {
			s := &v1alpha1.InventorySync{}
			s.Namespace, s.Name = "retail", name
			Eventually(condition(s, func() []metav1.Condition { return s.Status.Conditions }, v1alpha1.ConditionReady)).
				Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled), name)
		}
	})
})
