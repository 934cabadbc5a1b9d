package controllers

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

var _ = Describe("InventorySync with reservations", func() {
	It("stalls, naming the missing relay, when the manager has no --relay-url", func() {
		ns := newNamespace()
		ch := readyChannel(ns, "shop", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "reserved", ch.Name, every15m())
		s.Spec.Reservations = &v1alpha1.ReservationsSource{TokenSecretRef: v1alpha1.SecretKeySelector{Name: "relay-token", Key: "token"}}
		Expect(k8s.Create(ctx, s)).To(Succeed())
		conds := func() []metav1.Condition { return s.Status.Conditions }
		Eventually(condition(s, conds, v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonRelayNotConfigured))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionReady).Message).To(ContainSubstring("--relay-url"))
	})
})
