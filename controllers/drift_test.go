package controllers

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

var _ = Describe("Drift checks", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	driftedSKUs := func(s *v1alpha1.InventorySync) func() float64 {
		return metric("inventory_operator_sync_drifted_skus", map[string]string{"namespace": s.Namespace, "inventorysync": s.Name})
	}
	inSync := func(s *v1alpha1.InventorySync) func(g Gomega) *metav1.Condition {
		return condition(s, func() []metav1.Condition { return s.Status.Conditions }, v1alpha1.ConditionInSync)
	}

	It("plans at once and on the schedule, reports Drifted with a sample, corrects in RealTimeAdjustment, and says when the channel is back in sync", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeRealTimeAdjustment)
		s := inventorySync(ns, "checked", ch.Name, every15m())
		s.Spec.DriftCheck = &v1alpha1.DriftCheck{Schedule: "0 3 * * *", Correct: true}
		Expect(k8s.Create(ctx, s)).To(Succeed())

		By("the first check starts without waiting for the schedule")
		Eventually(pendingPlanJob(ns, s.Name)).ShouldNot(BeNil())
		job := *planJobOf(ns, s.Name)
		// The Job is created before the status that names it is written.
		Eventually(lastPlanRequest(s)).ShouldNot(BeEmpty())
		token := s.Status.LastPlan.RequestedAt
		Expect(token).To(HavePrefix(v1alpha1.DriftCheckTokenPrefix))
		Expect(job.Name).To(Equal(workload.ManualJobName(s.Name, workload.KindPlan, token)))
		Expect(s.Status.LastHandledPlanRequest).To(BeEmpty(), "a check is no annotation's request")
		Expect(s.Status.Drift).NotTo(BeNil())
		Expect(s.Status.Drift.NextCheckTime).NotTo(BeNil())
		Expect(s.Status.Drift.NextCheckTime.UTC().Format("15:04")).To(Equal("03:00"))
		Expect(s.Status.Drift.State).To(BeEmpty())
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionInSync)).To(BeNil())
		Expect(driftedSKUs(s)()).To(Equal(-1.0))

		By("a check that finds changes makes the sync Drifted and starts a correcting run")
		changes := []v1alpha1.PlannedChange{{SKU: "A-1", From: 3, To: 7}, {SKU: "B-2", From: 10, To: 0}, {SKU: "C-3", From: 1, To: 2}, {SKU: "D-4", From: 5, To: 4}}
		finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(50, 46, 4, 0, 0), Changes: changes}, true)
		Eventually(inSync(s)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonDrifted))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionInSync).Message).To(Equal(
			"a run would change 4 SKUs, for example A-1 3→7, B-2 10→0, C-3 1→2"))
		Expect(s.Status.Drift.State).To(Equal(v1alpha1.DriftDrifted))
		Expect(s.Status.Drift.SKUs).To(BeEquivalentTo(4))
		Expect(s.Status.Drift.Sample).To(Equal(changes))
		Expect(s.Status.Drift.CheckedAt).NotTo(BeNil())
		correcting := workload.ManualJobName(s.Name, workload.KindFulfillmentManual, token)
		Expect(s.Status.Drift.CorrectingRun).To(Equal(correcting))
		Eventually(func() []string { return liveJobNames(ns, s.Name) }).Should(ContainElement(correcting))
		var run batchv1.Job
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: correcting}, &run)).To(Succeed())
		Expect(run.Labels).NotTo(HaveKey(workload.LabelPlan))
		Expect(run.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--strategy=Incremental"))
		Expect(run.Spec.Template.Spec.Containers[0].Args).NotTo(ContainElement("--plan-only"))
		Eventually(driftedSKUs(s)).Should(Equal(4.0))
		table := serverTable("/apis/inventory.techoms.io/v1alpha1/namespaces/" + ns + "/inventorysyncs")
		column := -1
		for i, c := range table.ColumnDefinitions {
			if c.Name == "Drift" {
				column = i
				Expect(c.Priority).To(BeEquivalentTo(0), "kubectl get shows it without -o wide")
			}
		}
		Expect(column).NotTo(Equal(-1))
		Expect(table.Rows[0].Cells[column]).To(Equal("Drifted"))
		Eventually(eventNotes(ns, s.Name, reasonDriftDetected)).Should(ConsistOf(
			"a run would change 4 SKUs, for example A-1 3→7, B-2 10→0, C-3 1→2"))
		Eventually(eventReasons(ns, s.Name)).Should(ContainElement(reasonDriftCorrectionStart))

		By("any later plan that finds nothing tells the channel is back in sync")
		requestPlan(s, "p2")
		Eventually(lastPlanRequest(s)).Should(Equal("p2"))
		next := *jobByName(ns, workload.ManualJobName(s.Name, workload.KindPlan, "p2"))
		finishJob(&next, &v1alpha1.SyncResult{SKUs: counts(50, 50, 0, 0, 0)}, true)
		Eventually(inSync(s)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonInSync))
		Expect(s.Status.Drift.CorrectingRun).To(BeEmpty())
		Eventually(driftedSKUs(s)).Should(Equal(0.0))
		Eventually(eventNotes(ns, s.Name, reasonDriftResolved)).Should(ConsistOf("the channel shows what a run would write"))

		By("without driftCheck, the condition, the status and the metric go")
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
		s.Spec.DriftCheck = nil
		Expect(k8s.Update(ctx, s)).To(Succeed())
		Eventually(inSync(s)).Should(BeNil())
		Expect(s.Status.Drift).To(BeNil())
		Eventually(driftedSKUs(s)).Should(Equal(-1.0))
	})

	It("corrects nothing where the mode is not RealTimeAdjustment, and refuses a schedule that is no cron expression", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "full", ch.Name, every15m())
		s.Spec.DriftCheck = &v1alpha1.DriftCheck{Schedule: "*/5 * * * *", Correct: true}
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(pendingPlanJob(ns, s.Name)).ShouldNot(BeNil())
		job := *planJobOf(ns, s.Name)
		finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(5, 4, 1, 0, 0), Changes: []v1alpha1.PlannedChange{{SKU: "A-1", From: 1, To: 2}}}, true)
		Eventually(inSync(s)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonDrifted))
		Expect(s.Status.Drift.CorrectingRun).To(BeEmpty())
		Consistently(func() []string { return liveJobNames(ns, s.Name) }, "1s").Should(ConsistOf(job.Name))

		bad := inventorySync(ns, "bad", ch.Name, every15m())
		bad.Spec.DriftCheck = &v1alpha1.DriftCheck{Schedule: "every day"}
		Expect(k8s.Create(ctx, bad)).To(Succeed())
		Eventually(condition(bad, func() []metav1.Condition { return bad.Status.Conditions }, v1alpha1.ConditionStalled)).Should(
			haveCondition(metav1.ConditionTrue, v1alpha1.ReasonInvalidSchedule))
		Expect(findCondition(bad.Status.Conditions, v1alpha1.ConditionReady).Message).To(ContainSubstring(`driftCheck.schedule "every day"`))
		Expect(planJobOf(ns, bad.Name)).To(BeNil())
	})
})

// planJobOf is the sync's plan Job, nil when it has none.
func planJobOf(ns, name string) *batchv1.Job {
	for _, j := range jobsOf(ns, name) {
		if _, ok := j.Labels[workload.LabelPlan]; ok && j.DeletionTimestamp == nil {
			return &j
		}
	}
	return nil
}

// pendingPlanJob waits for a sync's plan Job, for Eventually.
func pendingPlanJob(ns, name string) func() *batchv1.Job {
	return func() *batchv1.Job { return planJobOf(ns, name) }
}

// jobByName reads one Job.
func jobByName(ns, name string) *batchv1.Job {
	var job batchv1.Job
	Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &job)).To(Succeed())
	return &job
}

// lastPlanRequest reads the token status.lastPlan answers, for Eventually.
func lastPlanRequest(s *v1alpha1.InventorySync) func(g Gomega) string {
	return func(g Gomega) string {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
		if s.Status.LastPlan == nil {
			return ""
		}
		return s.Status.LastPlan.RequestedAt
	}
}
