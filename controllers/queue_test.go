package controllers

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

var _ = Describe("One run at a time", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	It("queues a manual run behind a scheduled one, holds the CronJob during it, and passes the snapshot written", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "queued", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		conds := func() []metav1.Condition { return s.Status.Conditions }
		cronJob := func(g Gomega) *batchv1.CronJob {
			var cj batchv1.CronJob
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: s.Name}, &cj)).To(Succeed())
			return &cj
		}
		Eventually(func(g Gomega) *bool { return cronJob(g).Spec.Suspend }).Should(Equal(ptr.To(false)))

		By("a scheduled run is in progress (the CronJob controller, which envtest lacks, would start it)")
		scheduled := &batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: s.Name + "-29000000", Labels: cronJob(Default).Spec.JobTemplate.Labels},
			Spec:       cronJob(Default).Spec.JobTemplate.Spec,
		}
		Expect(k8s.Create(ctx, scheduled)).To(Succeed())
		Eventually(func(g Gomega) []v1alpha1.ActiveRun {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			return s.Status.Active
		}).Should(ConsistOf(HaveField("Job", scheduled.Name)))

		By("a manual run asked for meanwhile waits, and the sync says why")
		requestSync(s, "m1")
		Eventually(condition(s, conds, v1alpha1.ConditionRunQueued)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonRunInProgress))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionRunQueued).Message).To(
			And(ContainSubstring("m1"), ContainSubstring(scheduled.Name)))
		Expect(s.Status.LastHandledSyncRequest).To(BeEmpty())
		Consistently(func() []string { return liveJobNames(ns, s.Name) }, "1s").Should(ConsistOf(scheduled.Name))

		By("once the scheduled run ended, the manual run starts, told the snapshot it wrote")
		written := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		finishJob(scheduled, &v1alpha1.SyncResult{SKUs: counts(2, 1, 1, 0, 0), SnapshotTime: &metav1.Time{Time: written}}, true)
		manual := workload.ManualJobName(s.Name, workload.KindFulfillmentManual, "m1")
		Eventually(func() []string { return liveJobNames(ns, s.Name) }).Should(ContainElement(manual))
		Expect(jobByName(ns, manual).Spec.Template.Spec.Containers[0].Args).To(ContainElement("--written-snapshot=2026-12-06T12:00:00Z"))
		Eventually(condition(s, conds, v1alpha1.ConditionRunQueued)).Should(BeNil())
		Expect(s.Status.WrittenSnapshotTime).NotTo(BeNil())
		Expect(s.Status.WrittenSnapshotTime.Time).To(BeTemporally("==", written))
		Expect(s.Status.LastRun.SnapshotTime.Time).To(BeTemporally("==", written))

		By("the CronJob is held while the manual run is in progress, and renders the snapshot written")
		Eventually(func(g Gomega) *bool { return cronJob(g).Spec.Suspend }).Should(Equal(ptr.To(true)))
		Expect(cronJob(Default).Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--written-snapshot=2026-12-06T12:00:00Z"))
		Eventually(eventReasons(ns, s.Name)).Should(ContainElement("CronJobHeld"))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionSuspended)).To(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonNotSuspended))

		By("a run of older feeds reports Superseded; the snapshot written stays, and the CronJob resumes")
		job := jobByName(ns, manual)
		finishJob(job, &v1alpha1.SyncResult{Superseded: true, SnapshotTime: &metav1.Time{Time: written.Add(-time.Hour)},
			Message: "superseded: the feeds' snapshot 2026-12-06T11:00:00Z is older than the snapshot 2026-12-06T12:00:00Z an earlier run wrote; nothing written"}, true)
		Eventually(condition(s, conds, v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonLastRunSuperseded))
		Expect(s.Status.LastRun.Job).To(Equal(manual))
		Expect(s.Status.LastRun.Result).To(Equal(v1alpha1.RunSuperseded))
		Expect(s.Status.LastRun.SnapshotTime).To(BeNil())
		Expect(s.Status.WrittenSnapshotTime.Time).To(BeTemporally("==", written))
		Eventually(func(g Gomega) *bool { return cronJob(g).Spec.Suspend }).Should(Equal(ptr.To(false)))
		Eventually(eventReasons(ns, s.Name)).Should(ContainElements("CronJobResumed", v1alpha1.ReasonLastRunSuperseded))
	})

	It("queues a drift check's correcting run behind a running run", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeRealTimeAdjustment)
		s := inventorySync(ns, "corrected", ch.Name, every15m())
		s.Spec.DriftCheck = &v1alpha1.DriftCheck{Schedule: "0 3 * * *", Correct: true}
		Expect(k8s.Create(ctx, s)).To(Succeed())
		conds := func() []metav1.Condition { return s.Status.Conditions }
		Eventually(pendingPlanJob(ns, s.Name)).ShouldNot(BeNil())
		check := *planJobOf(ns, s.Name)
		Eventually(lastPlanRequest(s)).ShouldNot(BeEmpty())
		token := s.Status.LastPlan.RequestedAt

		By("a manual run is in progress when the check finds drift")
		requestSync(s, "m1")
		manual := workload.ManualJobName(s.Name, workload.KindFulfillmentManual, "m1")
		Eventually(func() []string { return liveJobNames(ns, s.Name) }).Should(ContainElement(manual))
		finishJob(&check, &v1alpha1.SyncResult{SKUs: counts(3, 2, 1, 0, 0), Changes: []v1alpha1.PlannedChange{{SKU: "A-1", From: 3, To: 7}}}, true)

		By("the correcting run waits, and the sync says why")
		correcting := workload.ManualJobName(s.Name, workload.KindFulfillmentManual, token)
		Eventually(condition(s, conds, v1alpha1.ConditionRunQueued)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonRunInProgress))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionRunQueued).Message).To(
			And(ContainSubstring("drift check "+token), ContainSubstring(manual)))
		Expect(s.Status.Drift.QueuedCorrection).To(Equal(token))
		Expect(s.Status.Drift.CorrectingRun).To(BeEmpty())
		Consistently(func() []string { return liveJobNames(ns, s.Name) }, "1s").ShouldNot(ContainElement(correcting))

		By("once the manual run ended, the correcting run starts")
		finishJob(jobByName(ns, manual), &v1alpha1.SyncResult{SKUs: counts(3, 1, 2, 0, 0)}, true)
		Eventually(func() []string { return liveJobNames(ns, s.Name) }).Should(ContainElement(correcting))
		Eventually(condition(s, conds, v1alpha1.ConditionRunQueued)).Should(BeNil())
		Expect(s.Status.Drift.CorrectingRun).To(Equal(correcting))
		Expect(s.Status.Drift.QueuedCorrection).To(BeEmpty())
		Eventually(eventReasons(ns, s.Name)).Should(ContainElement(reasonDriftCorrectionStart))
	})

	It("starts a manual run at once when nothing runs", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "idle", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		requestSync(s, "m1")
		Eventually(func(g Gomega) string {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			return s.Status.LastHandledSyncRequest
		}).Should(Equal("m1"))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionRunQueued)).To(BeNil())
		Expect(liveJobNames(ns, s.Name)).To(ConsistOf(workload.ManualJobName(s.Name, workload.KindFulfillmentManual, "m1")))
	})
})
