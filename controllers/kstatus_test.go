package controllers

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// kstatusOf computes what Flux health checks, kubectl wait and kstatus-based dashboards read.
func kstatusOf(obj client.Object) func(g Gomega) status.Status {
	return func(g Gomega) status.Status {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		res, err := status.Compute(&unstructured.Unstructured{Object: asArgoSees(obj)})
		g.Expect(err).NotTo(HaveOccurred())
		return res.Status
	}
}

// denyByQuota makes the API server refuse every new object of a resource in a namespace.
func denyByQuota(ns, resourceName string) *corev1.ResourceQuota {
	q := &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "deny-" + resourceName},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceName("count/" + resourceName): resource.MustParse("0")}},
	}
	Expect(k8s.Create(ctx, q)).To(Succeed())
	// envtest runs no quota controller: publish the usage it would.
	q.Status = corev1.ResourceQuotaStatus{Hard: q.Spec.Hard, Used: corev1.ResourceList{corev1.ResourceName("count/" + resourceName): resource.MustParse("0")}}
	Expect(k8s.Status().Update(ctx, q)).To(Succeed())
	return q
}

var _ = Describe("Status that GitOps tools read", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })
	syncConds := func(s *v1alpha1.InventorySync) func() []metav1.Condition {
		return func() []metav1.Condition { return s.Status.Conditions }
	}

	It("keeps a recurring InventorySync Current while a scheduled run is in progress", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "every-minute", ch.Name, ptr.To("* * * * *"))
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, syncConds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
		Expect(kstatusOf(s)(Default)).To(Equal(status.CurrentStatus))

		By("the CronJob starts a Job, as the CronJob controller does")
		var cj batchv1.CronJob
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: s.Name}, &cj)).To(Succeed())
		job := &batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: s.Name + "-29000000",
				Labels: cj.Spec.JobTemplate.Labels, Annotations: cj.Spec.JobTemplate.Annotations},
			Spec: cj.Spec.JobTemplate.Spec,
		}
		Expect(k8s.Create(ctx, job)).To(Succeed())
		now := metav1.Now()
		job.Status.StartTime, job.Status.Active = &now, 1
		Expect(k8s.Status().Update(ctx, job)).To(Succeed())

		Eventually(func(g Gomega) []v1alpha1.ActiveRun {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			return s.Status.Active
		}).Should(ConsistOf(HaveField("Job", job.Name)))
		Expect(kstatusOf(s)(Default)).To(Equal(status.CurrentStatus))
		Consistently(kstatusOf(s), "2s").Should(Equal(status.CurrentStatus))
	})

	It("writes status after a failed reconcile, says it retries, and recovers", func() {
		quota := denyByQuota(ns, "cronjobs.batch")
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "refused", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())

		Eventually(condition(s, syncConds(s), v1alpha1.ConditionReconciling)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonRetryingAfterError))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionReconciling).Message).To(ContainSubstring("exceeded quota"))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionReady)).To(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonReconcileFailed))
		Expect(s.Status.ObservedGeneration).To(Equal(s.Generation))
		Expect(kstatusOf(s)(Default)).To(Equal(status.InProgressStatus))

		By("the next reconcile after the cause is gone clears it")
		Expect(k8s.Delete(ctx, quota)).To(Succeed())
		Eventually(condition(s, syncConds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
		Expect(s.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionReconciling)))
		Expect(kstatusOf(s)(Default)).To(Equal(status.CurrentStatus))
	})

	It("writes a SalesChannel's status after a failed reconcile", func() {
		denyByQuota(ns, "jobs.batch")
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		Expect(k8s.Create(ctx, inventorySync(ns, "once-a-day", ch.Name, ptr.To("0 6 * * *")))).To(Succeed())
		chConds := func() []metav1.Condition { return ch.Status.Conditions }
		Eventually(condition(ch, chConds, v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonCredentialsFound))

		requestSync(ch, "now")
		Eventually(condition(ch, chConds, v1alpha1.ConditionReconciling)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonRetryingAfterError))
		Expect(findCondition(ch.Status.Conditions, v1alpha1.ConditionReconciling).Message).To(ContainSubstring("exceeded quota"))
		Expect(ch.Status.LastHandledSyncRequest).To(BeEmpty(), "the request waits for the retry")
		Expect(kstatusOf(ch)(Default)).To(Equal(status.InProgressStatus))
	})

	It("says Suspended while the SalesChannel is missing, as the CronJob is", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "orphan", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, syncConds(s), v1alpha1.ConditionSuspended)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonNotSuspended))

		Expect(k8s.Delete(ctx, ch)).To(Succeed())
		Eventually(condition(s, syncConds(s), v1alpha1.ConditionSuspended)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonSalesChannelNotFound))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionSuspended).Message).To(ContainSubstring("scheduled runs are stopped"))
		var cj batchv1.CronJob
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: s.Name}, &cj)).To(Succeed())
		Expect(cj.Spec.Suspend).To(Equal(ptr.To(true)))
		Expect(s.Status.NextSyncTime).To(BeNil())
	})
})
