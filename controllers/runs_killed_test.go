package controllers

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

var _ = Describe("A sync pod killed before it reports", func() {
	It("shows as a failed run saying it ran out of memory", func() {
		ns := newNamespace()
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "big-feed", ch.Name, nil)
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(func() []batchv1.Job { return jobsOf(ns, s.Name) }).Should(HaveLen(1))
		job := jobsOf(ns, s.Name)[0]
		endJob(&job, corev1.ContainerStateTerminated{Reason: "OOMKilled", ExitCode: 137}, false)

		Eventually(condition(s, func() []metav1.Condition { return s.Status.Conditions }, v1alpha1.ConditionReady)).
			Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonLastRunFailed))
		Expect(s.Status.LastRun.Result).To(Equal(v1alpha1.RunFailed))
		Expect(s.Status.LastRun.Message).To(ContainSubstring("OOMKilled"))
		Expect(s.Status.LastRun.Message).To(ContainSubstring("memory limit"))
	})
})
