package controllers

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

var _ = Describe("Plans", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	conds := func(s *v1alpha1.InventorySync) func() []metav1.Condition {
		return func() []metav1.Condition { return s.Status.Conditions }
	}

	It("starts one plan-only Job per new plan-requested-at token, echoes it, and reports the plan apart from the runs", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeRealTimeAdjustment)
		s := inventorySync(ns, "planned", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))

		requestPlan(s, "p1")
		Eventually(handledPlan(s)).Should(Equal("p1"))
		name := workload.ManualJobName(s.Name, workload.KindPlan, "p1")
		Expect(s.Status.LastPlan).To(Equal(&v1alpha1.SyncPlan{Job: name, RequestedAt: "p1"}))
		jobs := jobsOf(ns, s.Name)
		Expect(jobs).To(HaveLen(1))
		job := jobs[0]
		Expect(job.Name).To(Equal(name))
		Expect(metav1.IsControlledBy(&job, s)).To(BeTrue())
		Expect(job.Labels).To(HaveKeyWithValue(workload.LabelPlan, "true"))
		Expect(job.Spec.Template.Labels).To(HaveKeyWithValue(workload.LabelPlan, "true"))
		Expect(job.Annotations).To(Equal(map[string]string{workload.AnnotationPlanRequest: "p1"}))
		// The strategy a fulfillment-channel run would use under RealTimeAdjustment.
		Expect(job.Spec.Template.Spec.Containers[0].Args).To(ContainElements("--plan-only", "--strategy=Incremental"))
		Eventually(eventReasons(ns, s.Name)).Should(ContainElement(reasonPlanStarted))

		By("a running plan is no active run")
		now := metav1.Now()
		job.Status.StartTime = &now
		job.Status.Active = 1
		Expect(k8s.Status().Update(ctx, &job)).To(Succeed())
		Consistently(func(g Gomega) []v1alpha1.ActiveRun {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			return s.Status.Active
		}, "1s").Should(BeEmpty())

		By("the same token again starts nothing")
		Expect(k8s.Patch(ctx, s, client.RawPatch(client.Merge.Type(), []byte(`{"metadata":{"labels":{"team":"retail"}}}`)))).To(Succeed())
		Consistently(func() []batchv1.Job { return jobsOf(ns, s.Name) }, "1s").Should(HaveLen(1))

		By("the plan pod's counts and changes land in lastPlan, and not in lastRun")
		job.Status.Active = 0
		changes := []v1alpha1.PlannedChange{{SKU: "A-1", From: 3, To: 7}, {SKU: "B-2", From: 10, To: 0}}
		finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(120, 100, 15, 5, 0), Changes: changes}, true)
		Eventually(func(g Gomega) v1alpha1.RunResult {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			g.Expect(s.Status.LastPlan).NotTo(BeNil())
			return s.Status.LastPlan.Result
		}).Should(Equal(v1alpha1.RunSucceeded))
		plan := s.Status.LastPlan
		Expect(plan.Job).To(Equal(name))
		Expect(plan.RequestedAt).To(Equal("p1"))
		Expect(*plan.SKUs).To(Equal(counts(120, 100, 15, 5, 0)))
		Expect(plan.Changes).To(Equal(changes))
		Expect(plan.StartTime).NotTo(BeNil())
		Expect(plan.CompletionTime).NotTo(BeNil())
		Expect(s.Status.LastRun).To(BeNil())
		Expect(s.Status.LastSuccessfulRun).To(BeNil())
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionReady)).To(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
		Eventually(eventNotes(ns, s.Name, reasonPlanSucceeded)).Should(ConsistOf(
			"plan p1: a run would update 15 SKUs: read 120, updated 15, unchanged 100, skipped as duplicates 5, failed 0"))
	})

	It("plans under DoNotSynchronize, with the full values a sales-channel manual sync would write", func() {
		ch := readyChannel(ns, "quiet", v1alpha1.ModeDoNotSynchronize)
		s := inventorySync(ns, "dry", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionSuspended)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonModeDoesNotPush))

		requestPlan(s, "p1")
		Eventually(handledPlan(s)).Should(Equal("p1"))
		jobs := jobsOf(ns, s.Name)
		Expect(jobs).To(HaveLen(1))
		Expect(jobs[0].Labels).To(HaveKeyWithValue(workload.LabelPlan, "true"))
		Expect(jobs[0].Spec.Template.Spec.Containers[0].Args).To(ContainElements("--plan-only", "--strategy=Absolute"))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionSuspended)).To(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonModeDoesNotPush))
	})

	It("waits with a plan while the SalesChannel is missing, and starts it when the channel appears", func() {
		s := inventorySync(ns, "early", "late-channel", every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonSalesChannelNotFound))

		requestPlan(s, "p1")
		Consistently(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			g.Expect(s.Status.LastHandledPlanRequest).To(BeEmpty())
			g.Expect(s.Status.LastPlan).To(BeNil())
			g.Expect(jobsOf(ns, s.Name)).To(BeEmpty())
		}, "1s").Should(Succeed())

		readyChannel(ns, "late-channel", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		Eventually(handledPlan(s)).Should(Equal("p1"))
		Expect(jobsOf(ns, s.Name)).To(ConsistOf(HaveField("Name", workload.ManualJobName(s.Name, workload.KindPlan, "p1"))))
	})

	It("reports a failed plan without touching readiness, and keeps only the newest plan's Job once it finishes", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "replanned", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))

		requestPlan(s, "p1")
		Eventually(handledPlan(s)).Should(Equal("p1"))
		first := jobsOf(ns, s.Name)[0]
		finishJob(&first, &v1alpha1.SyncResult{SKUs: counts(1, 1, 0, 0, 0)}, true)
		Eventually(lastPlanResult(s)).Should(Equal(v1alpha1.RunSucceeded))

		requestPlan(s, "p2")
		Eventually(handledPlan(s)).Should(Equal("p2"))
		Expect(s.Status.LastPlan).To(Equal(&v1alpha1.SyncPlan{Job: workload.ManualJobName(s.Name, workload.KindPlan, "p2"), RequestedAt: "p2"}))
		Expect(liveJobNames(ns, s.Name)).To(ContainElement(first.Name), "the older plan's Job goes only once the newer plan finishes")

		var second batchv1.Job
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: s.Status.LastPlan.Job}, &second)).To(Succeed())
		finishJob(&second, &v1alpha1.SyncResult{SKUs: counts(0, 0, 0, 0, 0), Message: "feed answered 502"}, false)
		Eventually(lastPlanResult(s)).Should(Equal(v1alpha1.RunFailed))
		Expect(s.Status.LastPlan.Message).To(Equal("feed answered 502"))
		Expect(s.Status.LastRun).To(BeNil())
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionReady)).To(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
		Eventually(eventNotes(ns, s.Name, reasonPlanFailed)).Should(ConsistOf("plan p2 failed: feed answered 502"))

		Eventually(func() []string { return liveJobNames(ns, s.Name) }).Should(ConsistOf(second.Name))
	})
})

// requestPlan sets the plan-requested-at annotation on an InventorySync.
func requestPlan(obj client.Object, token string) {
	patch := []byte(`{"metadata":{"annotations":{"` + v1alpha1.PlanRequestedAtAnnotation + `":"` + token + `"}}}`)
	Expect(k8s.Patch(ctx, obj, client.RawPatch(client.Merge.Type(), patch))).To(Succeed())
}

// handledPlan reads the last plan-requested-at token the manager echoed, for Eventually.
func handledPlan(s *v1alpha1.InventorySync) func(g Gomega) string {
	return func(g Gomega) string {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
		return s.Status.LastHandledPlanRequest
	}
}

// lastPlanResult reads the result of status.lastPlan, for Eventually.
func lastPlanResult(s *v1alpha1.InventorySync) func(g Gomega) v1alpha1.RunResult {
	return func(g Gomega) v1alpha1.RunResult {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
		g.Expect(s.Status.LastPlan).NotTo(BeNil())
		return s.Status.LastPlan.Result
	}
}

// liveJobNames lists the names of a sync's Jobs that are not being deleted.
func liveJobNames(ns, name string) []string {
	var names []string
	for _, j := range jobsOf(ns, name) {
		if j.DeletionTimestamp == nil {
			names = append(names, j.Name)
		}
	}
	return names
}

// eventNotes lists the notes of the events of one reason about one object.
func eventNotes(ns, name, reason string) func(g Gomega) []string {
	return func(g Gomega) []string {
		var list eventsv1.EventList
		g.Expect(k8s.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
		var notes []string
		for _, e := range list.Items {
			if e.Regarding.Name == name && e.Reason == reason {
				notes = append(notes, e.Note)
			}
		}
		return notes
	}
}
