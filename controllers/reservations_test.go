package controllers

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

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

	It("shows the units a run subtracted for reservations in lastRun", func() {
		ns := newNamespace()
		ch := readyChannel(ns, "shop", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "once", ch.Name, nil)
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(func() []batchv1.Job { return jobsOf(ns, s.Name) }).Should(HaveLen(1))
		job := jobsOf(ns, s.Name)[0]
		reserved := &v1alpha1.ReservedCounts{Since: metav1.NewTime(time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)), SKUs: 1, Units: 2}
		finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(1, 0, 1, 0, 0), Reserved: reserved}, true)
		Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			g.Expect(s.Status.LastRun).NotTo(BeNil())
			got := s.Status.LastRun.Reserved
			g.Expect(got).NotTo(BeNil())
			g.Expect(got.Since.Equal(&reserved.Since)).To(BeTrue(), "since %s", got.Since)
			g.Expect([]int64{got.SKUs, got.Units}).To(Equal([]int64{reserved.SKUs, reserved.Units}))
		}).Should(Succeed())
	})
})
