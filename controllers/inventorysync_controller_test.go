package controllers

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/syncpod"
	"github.com/techoms/inventory-operator/internal/workload"
)

var _ = Describe("InventorySync", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	conds := func(s *v1alpha1.InventorySync) func() []metav1.Condition {
		return func() []metav1.Condition { return s.Status.Conditions }
	}
	cronJobOf := func(s *v1alpha1.InventorySync) func(g Gomega) *batchv1.CronJob {
		return func(g Gomega) *batchv1.CronJob {
			var cj batchv1.CronJob
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: s.Namespace, Name: s.Name}, &cj)).To(Succeed())
			return &cj
		}
	}
	setMode := func(ch *v1alpha1.SalesChannel, mode v1alpha1.InventoryMode) {
		patch := []byte(`{"spec":{"inventory":{"mode":"` + string(mode) + `"}}}`)
		Expect(k8s.Patch(ctx, ch, client.RawPatch(client.Merge.Type(), patch))).To(Succeed())
	}

	It("turns a recurring sync into an owned CronJob and reports it", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "berlin-to-eu", ch.Name, every15m())
		s.Spec.TimeZone = ptr.To("Europe/Berlin")
		s.Spec.SuccessfulRunsHistoryLimit = ptr.To[int32](5)
		s.Spec.FailedRunsHistoryLimit = ptr.To[int32](2)
		s.Spec.FulfillmentChannel.Feed.BearerTokenSecretRef = &v1alpha1.SecretKeySelector{Name: "feed-token", Key: "token"}
		feedSecret := credentials(ns, "feed-token")
		Expect(k8s.Create(ctx, feedSecret)).To(Succeed())
		Expect(k8s.Create(ctx, s, client.FieldOwner("platform-team"))).To(Succeed())
		applied := s.Spec.DeepCopy()

		Eventually(cronJobOf(s)).Should(Not(BeNil()))
		cj := cronJobOf(s)(Default)
		Expect(cj.Name).To(Equal("berlin-to-eu"))
		Expect(cj.Spec.Schedule).To(Equal("*/15 * * * *"))
		Expect(cj.Spec.TimeZone).To(Equal(ptr.To("Europe/Berlin")))
		Expect(cj.Spec.Suspend).To(Equal(ptr.To(false)))
		Expect(cj.Spec.ConcurrencyPolicy).To(Equal(batchv1.ForbidConcurrent))
		Expect(cj.Spec.SuccessfulJobsHistoryLimit).To(Equal(ptr.To[int32](5)))
		Expect(cj.Spec.FailedJobsHistoryLimit).To(Equal(ptr.To[int32](2)))
		Expect(metav1.IsControlledBy(cj, s)).To(BeTrue())
		Expect(cj.Labels).To(Equal(map[string]string{workload.LabelManagedBy: workload.ManagedByValue, workload.LabelInventorySync: s.Name}))

		By("the pod spec carries everything the sync role needs, secrets only as secretKeyRefs")
		job := cj.Spec.JobTemplate
		Expect(job.Labels).To(HaveKeyWithValue(workload.LabelTrigger, string(v1alpha1.TriggerFulfillmentRecurring)))
		Expect(job.Spec.BackoffLimit).To(Equal(ptr.To[int32](2)))
		Expect(job.Spec.ActiveDeadlineSeconds).To(Equal(ptr.To[int64](3600)))
		pod := job.Spec.Template.Spec
		Expect(pod.RestartPolicy).To(Equal(corev1.RestartPolicyNever))
		Expect(pod.SecurityContext.RunAsNonRoot).To(Equal(ptr.To(true)))
		c := pod.Containers[0]
		Expect(c.Image).To(Equal(testImage))
		Expect(c.Args).To(ContainElements("sync", "--platform=Shopify", "--channel-url=https://eu-store.myshopify.com",
			"--shopify-plan=Standard", "--location-id=gid://shopify/Location/123", "--feed-url=http://wms.retail.svc/levels",
			"--feed-format=CSV", "--strategy=Absolute", "--duplicate-skus=Skip",
			"--trigger=FulfillmentChannelRecurring", "--run-id=$(SYNC_RUN_ID)"))
		Expect(c.Env).To(ContainElements(
			HaveField("ValueFrom.SecretKeyRef.LocalObjectReference.Name", "shopify-eu-admin"),
			HaveField("ValueFrom.SecretKeyRef.LocalObjectReference.Name", "feed-token"),
		))
		Expect(c.Env).To(ContainElement(And(HaveField("Name", syncpod.EnvRunID), HaveField("ValueFrom.FieldRef.FieldPath", ContainSubstring("controller-uid")))))
		for _, a := range c.Args {
			Expect(a).NotTo(ContainSubstring("shpat_secret_value"))
		}
		Expect(c.SecurityContext.AllowPrivilegeEscalation).To(Equal(ptr.To(false)))
		Expect(c.SecurityContext.ReadOnlyRootFilesystem).To(Equal(ptr.To(true)))
		Expect(c.SecurityContext.Capabilities.Drop).To(ConsistOf(corev1.Capability("ALL")))
		Expect(c.Resources.Limits).To(HaveKey(corev1.ResourceMemory))

		By("status says it is scheduled, with the next run time")
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
		Expect(s.Status.CronJobName).To(Equal("berlin-to-eu"))
		Expect(s.Status.EffectiveMode).To(Equal(v1alpha1.ModeSynchronizeWithFulfillmentChannel))
		Expect(s.Status.Strategy).To(Equal(v1alpha1.StrategyAbsolute))
		Expect(s.Status.NextSyncTime).NotTo(BeNil())
		Expect(s.Status.NextSyncTime.Time).To(BeTemporally(">", time.Now()))
		Expect(s.Status.NextSyncTime.Time).To(BeTemporally("<=", time.Now().Add(15*time.Minute)))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionSuspended)).To(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonNotSuspended))
		Expect(s.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionStalled)))
		Expect(s.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionReconciling)))

		Eventually(eventReasons(ns, s.Name)).Should(ContainElement("CronJobCreated"))

		By("the spec is exactly as applied, and only the applier manages it")
		Expect(s.Spec).To(Equal(*applied))
		for _, mf := range s.ManagedFields {
			if mf.Manager != "platform-team" {
				Expect(mf.Subresource).To(Equal("status"), "manager %s wrote outside status", mf.Manager)
			}
		}
	})

	It("leaves an unchanged CronJob alone on later reconciles, and puts back drift in what it sets", func() {
		ch := readyChannel(ns, "steady", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "steady", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
		// The API server drops an update that changes nothing, so the manager's requests, not
		// the CronJob's resourceVersion, show whether it wrote.
		updates := func() float64 {
			v, _ := metricValue("rest_client_requests_total", map[string]string{"method": "PUT"})
			return v
		}
		updatesBefore := updates()

		By("a plan request is a reconcile that changes nothing in the CronJob")
		Expect(k8s.Patch(ctx, s, client.RawPatch(client.Merge.Type(),
			[]byte(`{"metadata":{"annotations":{"`+v1alpha1.PlanRequestedAtAnnotation+`":"steady-1"}}}`)))).To(Succeed())
		Eventually(func(g Gomega) string {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			return s.Status.LastHandledPlanRequest
		}).Should(Equal("steady-1"))
		Expect(updates()).To(Equal(updatesBefore), "the CronJob was rewritten though nothing changed")

		By("a schedule changed behind the manager's back is put back")
		cj := cronJobOf(s)(Default)
		Expect(k8s.Patch(ctx, cj, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"schedule":"0 0 * * *"}}`)))).To(Succeed())
		Eventually(func(g Gomega) string { return cronJobOf(s)(g).Spec.Schedule }).Should(Equal("*/15 * * * *"))
	})

	It("suspends the CronJob while the channel's effective mode pushes no fulfillment-channel syncs, and resumes it", func() {
		ch := readyChannel(ns, "quiet", v1alpha1.ModeDoNotSynchronize)
		s := inventorySync(ns, "gated", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())

		Eventually(func(g Gomega) *bool { return cronJobOf(s)(g).Spec.Suspend }).Should(Equal(ptr.To(true)))
		Eventually(condition(s, conds(s), v1alpha1.ConditionSuspended)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonModeDoesNotPush))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionSuspended).Message).To(ContainSubstring("DoNotSynchronize"))
		Expect(s.Status.NextSyncTime).To(BeNil())
		Expect(s.Status.Strategy).To(BeEmpty())

		By("RealTimeAdjustment pushes scheduled syncs as increments")
		setMode(ch, v1alpha1.ModeRealTimeAdjustment)
		Eventually(func(g Gomega) *bool { return cronJobOf(s)(g).Spec.Suspend }).Should(Equal(ptr.To(false)))
		Expect(cronJobOf(s)(Default).Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--strategy=Incremental"))
		Eventually(condition(s, conds(s), v1alpha1.ConditionSuspended)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonNotSuspended))
		Expect(s.Status.Strategy).To(Equal(v1alpha1.StrategyIncremental))

		By("UpdateAll forces SynchronizeWithFulfillmentChannel: full values")
		Expect(k8s.Patch(ctx, ch, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"inventory":{"mode":"DoNotSynchronize","duplicateSKUs":"UpdateAll"}}}`)))).To(Succeed())
		Eventually(func(g Gomega) []string { return cronJobOf(s)(g).Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args }).
			Should(ContainElements("--strategy=Absolute", "--duplicate-skus=UpdateAll"))
		Expect(cronJobOf(s)(Default).Spec.Suspend).To(Equal(ptr.To(false)))

		By("spec.suspend stops it whatever the mode")
		Expect(k8s.Patch(ctx, s, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"suspend":true}}`)))).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionSuspended)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonSuspendedBySpec))
		Expect(cronJobOf(s)(Default).Spec.Suspend).To(Equal(ptr.To(true)))
		Eventually(eventReasons(ns, s.Name)).Should(ContainElements("CronJobSuspended", "CronJobResumed"))
	})

	It("waits for a missing SalesChannel and its Secret, and recovers by itself when they appear", func() {
		s := inventorySync(ns, "early", "late-channel", every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonSalesChannelNotFound))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionReady).Message).To(ContainSubstring(`SalesChannel "late-channel" does not exist`))

		ch := salesChannel(ns, "late-channel", v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
		Expect(k8s.Create(ctx, ch)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonSecretNotFound))
		Expect(cronJobOf(s)(Default).Spec.Suspend).To(Equal(ptr.To(true)), "no run may start without credentials")

		Expect(k8s.Create(ctx, credentials(ns, "late-channel-admin"))).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
		Expect(cronJobOf(s)(Default).Spec.Suspend).To(Equal(ptr.To(false)))
	})

	It("stalls on a schedule or time zone the schema cannot check", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "bad-cron", ch.Name, ptr.To("every day at noon"))
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionStalled)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonInvalidSchedule))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionReady)).To(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonInvalidSchedule))

		tz := inventorySync(ns, "bad-tz", ch.Name, every15m())
		tz.Spec.TimeZone = ptr.To("Mars/Olympus_Mons")
		Expect(k8s.Create(ctx, tz)).To(Succeed())
		Eventually(condition(tz, conds(tz), v1alpha1.ConditionStalled)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonInvalidTimeZone))

		By("fixing the schedule clears Stalled")
		Expect(k8s.Patch(ctx, s, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"schedule":"0 * * * *"}}`)))).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
		Expect(s.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionStalled)))
	})

	It("turns a one-off sync into exactly one Job and reports its result", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "once", ch.Name, nil)
		Expect(k8s.Create(ctx, s)).To(Succeed())

		Eventually(func() []batchv1.Job { return jobsOf(ns, s.Name) }).Should(HaveLen(1))
		job := jobsOf(ns, s.Name)[0]
		Expect(job.Name).To(Equal("once-once"))
		Expect(job.Labels).To(HaveKeyWithValue(workload.LabelTrigger, string(v1alpha1.TriggerFulfillmentManual)))
		Expect(metav1.IsControlledBy(&job, s)).To(BeTrue())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonWaitingForRun))

		By("a running Job shows as an active run, and only there: it is not the manager's work")
		now := metav1.Now()
		job.Status.StartTime = &now
		job.Status.Active = 1
		Expect(k8s.Status().Update(ctx, &job)).To(Succeed())
		Eventually(func(g Gomega) []v1alpha1.ActiveRun {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			return s.Status.Active
		}).Should(ConsistOf(HaveField("Job", "once-once")))
		Expect(s.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionReconciling)))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionReady)).To(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonWaitingForRun))

		By("its pod's result lands in lastRun and lastSuccessfulRun")
		job.Status.Active = 0
		finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(120, 100, 15, 5, 0)}, true)
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonLastRunSucceeded))
		Expect(s.Status.LastRun).NotTo(BeNil())
		Expect(s.Status.LastRun.Job).To(Equal("once-once"))
		Expect(s.Status.LastRun.Result).To(Equal(v1alpha1.RunSucceeded))
		Expect(s.Status.LastRun.Strategy).To(Equal(v1alpha1.StrategyAbsolute))
		Expect(*s.Status.LastRun.SKUs).To(Equal(counts(120, 100, 15, 5, 0)))
		Expect(s.Status.LastSuccessfulRun).To(Equal(s.Status.LastRun))
		Expect(s.Status.Active).To(BeEmpty())
		Expect(s.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionReconciling)))
		Eventually(eventReasons(ns, s.Name)).Should(ContainElements("JobCreated", v1alpha1.ReasonLastRunSucceeded))

		By("no second Job is made")
		Consistently(func() []batchv1.Job { return jobsOf(ns, s.Name) }, "1s").Should(HaveLen(1))
	})

	It("waits with a one-off sync until the mode pushes it", func() {
		ch := readyChannel(ns, "quiet", v1alpha1.ModeDoNotSynchronize)
		s := inventorySync(ns, "once", ch.Name, nil)
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionSuspended)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonModeDoesNotPush))
		Expect(jobsOf(ns, s.Name)).To(BeEmpty())

		setMode(ch, v1alpha1.ModeRealTimeAdjustment)
		Eventually(func() []batchv1.Job { return jobsOf(ns, s.Name) }).Should(HaveLen(1))
		Expect(jobsOf(ns, s.Name)[0].Spec.Template.Spec.Containers[0].Args).To(ContainElement("--strategy=Incremental"))
	})

	It("reports a failed run as not ready, with its counts and failures, and recovers on the next success", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "flaky", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))

		requestSync(s, "first")
		Eventually(func() []batchv1.Job { return jobsOf(ns, s.Name) }).Should(HaveLen(1))
		failed := jobsOf(ns, s.Name)[0]
		finishJob(&failed, &v1alpha1.SyncResult{
			SKUs:     counts(10, 2, 5, 0, 3),
			Failures: []v1alpha1.SKUFailure{{SKU: "A-1", Reason: "channel answered 503"}},
		}, false)
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonLastRunFailed))
		Expect(findCondition(s.Status.Conditions, v1alpha1.ConditionReady).Message).To(ContainSubstring("failed 3"))
		Expect(s.Status.LastRun.Failures).To(ConsistOf(v1alpha1.SKUFailure{SKU: "A-1", Reason: "channel answered 503"}))
		Expect(s.Status.LastSuccessfulRun).To(BeNil())
		Eventually(eventReasons(ns, s.Name)).Should(ContainElement(v1alpha1.ReasonLastRunFailed))

		requestSync(s, "second")
		Eventually(func() []batchv1.Job { return jobsOf(ns, s.Name) }).Should(HaveLen(2))
		var next batchv1.Job
		for _, j := range jobsOf(ns, s.Name) {
			if j.Name != failed.Name {
				next = j
			}
		}
		finishJob(&next, &v1alpha1.SyncResult{SKUs: counts(10, 7, 3, 0, 0)}, true)
		Eventually(condition(s, conds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonLastRunSucceeded))
		Expect(s.Status.LastSuccessfulRun.Job).To(Equal(next.Name))
	})

	It("starts one Job per new sync-requested-at token, only when the mode pushes manual syncs", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "manual", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())

		requestSync(s, "t1")
		Eventually(func(g Gomega) string {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			return s.Status.LastHandledSyncRequest
		}).Should(Equal("t1"))
		jobs := jobsOf(ns, s.Name)
		Expect(jobs).To(HaveLen(1))
		Expect(jobs[0].Labels).To(HaveKeyWithValue(workload.LabelTrigger, string(v1alpha1.TriggerFulfillmentManual)))
		Expect(jobs[0].Annotations).To(HaveKeyWithValue(workload.AnnotationSyncRequest, "t1"))
		Expect(jobs[0].Spec.Template.Spec.Containers[0].Args).To(ContainElement("--strategy=Absolute"))

		By("an unrelated change does not run it again")
		Expect(k8s.Patch(ctx, s, client.RawPatch(client.Merge.Type(), []byte(`{"metadata":{"labels":{"team":"retail"}}}`)))).To(Succeed())
		Consistently(func() []batchv1.Job { return jobsOf(ns, s.Name) }, "1s").Should(HaveLen(1))

		By("in DoNotSynchronize the request is acknowledged and not run")
		setMode(ch, v1alpha1.ModeDoNotSynchronize)
		Eventually(condition(s, conds(s), v1alpha1.ConditionSuspended)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonModeDoesNotPush))
		requestSync(s, "t2")
		Eventually(func(g Gomega) string {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
			return s.Status.LastHandledSyncRequest
		}).Should(Equal("t2"))
		Expect(jobsOf(ns, s.Name)).To(HaveLen(1))
		Eventually(eventReasons(ns, s.Name)).Should(ContainElement(v1alpha1.ReasonModeDoesNotPush))
	})

	It("prunes finished manual runs past the history limits, newest kept", func() {
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "pruned", ch.Name, every15m())
		s.Spec.SuccessfulRunsHistoryLimit = ptr.To[int32](1)
		Expect(k8s.Create(ctx, s)).To(Succeed())

		var names []string
		for _, token := range []string{"a", "b"} {
			requestSync(s, token)
			Eventually(func() []batchv1.Job { return jobsOf(ns, s.Name) }).Should(HaveLen(len(names) + 1))
			for _, j := range jobsOf(ns, s.Name) {
				if j.Annotations[workload.AnnotationSyncRequest] == token {
					names = append(names, j.Name)
					finishJob(&j, &v1alpha1.SyncResult{SKUs: counts(1, 1, 0, 0, 0)}, true)
				}
			}
			Eventually(func(g Gomega) string {
				g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(s), s)).To(Succeed())
				g.Expect(s.Status.LastRun).NotTo(BeNil())
				return s.Status.LastRun.Job
			}).Should(Equal(names[len(names)-1]))
		}
		Eventually(func() []string {
			var left []string
			for _, j := range jobsOf(ns, s.Name) {
				if j.DeletionTimestamp == nil {
					left = append(left, j.Name)
				}
			}
			return left
		}).Should(ConsistOf(names[1]))
	})
})

// findCondition finds a condition by type.
func findCondition(conds []metav1.Condition, typ string) *metav1.Condition {
	for i := range conds {
		if conds[i].Type == typ {
			return &conds[i]
		}
	}
	return nil
}

// eventReasons lists the reasons of the events about one object.
func eventReasons(ns, name string) func(g Gomega) []string {
	return func(g Gomega) []string {
		var list eventsv1.EventList
		g.Expect(k8s.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
		var reasons []string
		for _, e := range list.Items {
			if e.Regarding.Name == name {
				reasons = append(reasons, e.Reason)
			}
		}
		return reasons
	}
}
