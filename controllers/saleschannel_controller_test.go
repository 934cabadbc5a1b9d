package controllers

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

var _ = Describe("SalesChannel", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	conds := func(ch *v1alpha1.SalesChannel) func() []metav1.Condition {
		return func() []metav1.Condition { return ch.Status.Conditions }
	}

	It("reports its mode as effective mode when nothing overrides it", func() {
		ch := readyChannel(ns, "plain", v1alpha1.ModeRealTimeAdjustment)
		Eventually(condition(ch, conds(ch), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonCredentialsFound))
		Expect(ch.Status.EffectiveMode).To(Equal(v1alpha1.ModeRealTimeAdjustment))
		Expect(ch.Status.ObservedGeneration).To(Equal(ch.Generation))
		Expect(ch.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionModeOverridden)))
		for _, c := range ch.Status.Conditions {
			Expect(c.ObservedGeneration).To(Equal(ch.Generation), c.Type)
		}
	})

	It("forces SynchronizeWithFulfillmentChannel under UpdateAll, says so, and leaves the spec as applied", func() {
		ch := salesChannel(ns, "dups", v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsUpdateAll)
		Expect(k8s.Create(ctx, credentials(ns, "dups-admin"))).To(Succeed())
		Expect(k8s.Create(ctx, ch, client.FieldOwner("platform-team"))).To(Succeed())

		Eventually(condition(ch, conds(ch), v1alpha1.ConditionModeOverridden)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonDuplicateSKUsUpdateAll))
		Expect(ch.Status.EffectiveMode).To(Equal(v1alpha1.ModeSynchronizeWithFulfillmentChannel))
		Expect(ch.Spec.Inventory.Mode).To(Equal(v1alpha1.ModeRealTimeAdjustment))
		Expect(ch.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionDuplicateSKUsUnsupported)))
		// Only the applier manages the spec; the manager wrote status alone.
		for _, mf := range ch.ManagedFields {
			if mf.Manager != "platform-team" {
				Expect(mf.Subresource).To(Equal("status"), "manager %s wrote outside status", mf.Manager)
			}
		}

		By("going back to Skip, the configured mode applies again")
		Expect(k8s.Patch(ctx, ch, client.RawPatch(client.Merge.Type(), []byte(`{"spec":{"inventory":{"duplicateSKUs":"Skip"}}}`)))).To(Succeed())
		Eventually(func(g Gomega) v1alpha1.InventoryMode {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(ch), ch)).To(Succeed())
			return ch.Status.EffectiveMode
		}).Should(Equal(v1alpha1.ModeRealTimeAdjustment))
		Expect(ch.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1alpha1.ConditionModeOverridden)))
	})

	It("says UpdateAll has no effect on a platform without duplicate-SKU support", func() {
		ch := salesChannel(ns, "hook", v1alpha1.ModeDoNotSynchronize, v1alpha1.DuplicateSKUsUpdateAll)
		ch.Spec.Platform = v1alpha1.PlatformWebhook
		ch.Spec.Connection.Plan = ""
		Expect(k8s.Create(ctx, ch)).To(Succeed())
		Eventually(condition(ch, conds(ch), v1alpha1.ConditionDuplicateSKUsUnsupported)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonPlatformUnsupported))
		Expect(ch.Status.EffectiveMode).To(Equal(v1alpha1.ModeSynchronizeWithFulfillmentChannel))
	})

	It("is not ready while its credentials Secret is missing, and recovers when it appears", func() {
		ch := salesChannel(ns, "nocreds", v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip)
		Expect(k8s.Create(ctx, ch)).To(Succeed())
		Eventually(condition(ch, conds(ch), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonSecretNotFound))
		Expect(ch.Status.Conditions).To(ContainElement(HaveField("Message", ContainSubstring(`Secret "nocreds-admin"`))))

		By("a Secret without the key is not enough")
		secret := credentials(ns, "nocreds-admin")
		secret.Data = map[string][]byte{"other": []byte("x")}
		Expect(k8s.Create(ctx, secret)).To(Succeed())
		Eventually(condition(ch, conds(ch), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonSecretKeyNotFound))

		By("adding the key makes it ready, with no change to the SalesChannel")
		secret.Data["token"] = []byte("shpat_value")
		Expect(k8s.Update(ctx, secret)).To(Succeed())
		Eventually(condition(ch, conds(ch), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonCredentialsFound))
		Expect(ch.Status.Conditions).NotTo(ContainElement(HaveField("Message", ContainSubstring("shpat_value"))))

		By("removing the key, then the Secret, makes it not ready again")
		delete(secret.Data, "token")
		Expect(k8s.Update(ctx, secret)).To(Succeed())
		Eventually(condition(ch, conds(ch), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonSecretKeyNotFound))
		Expect(k8s.Delete(ctx, secret)).To(Succeed())
		Eventually(condition(ch, conds(ch), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonSecretNotFound))
	})

	It("runs every InventorySync of the channel, with full values, on a sales-channel manual sync in every mode", func() {
		ch := readyChannel(ns, "quiet", v1alpha1.ModeDoNotSynchronize)
		other := readyChannel(ns, "other", v1alpha1.ModeDoNotSynchronize)
		for _, s := range []*v1alpha1.InventorySync{
			inventorySync(ns, "berlin", ch.Name, every15m()),
			inventorySync(ns, "hamburg", ch.Name, every15m()),
			inventorySync(ns, "elsewhere", other.Name, every15m()),
		} {
			Expect(k8s.Create(ctx, s)).To(Succeed())
		}

		requestSync(ch, "2026-11-26T10:00:00Z")
		Eventually(func(g Gomega) string {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(ch), ch)).To(Succeed())
			return ch.Status.LastHandledSyncRequest
		}).Should(Equal("2026-11-26T10:00:00Z"))
		jobs := jobsOf(ns, "")
		Expect(jobs).To(HaveLen(2))
		for _, job := range jobs {
			Expect(job.Labels).To(HaveKeyWithValue(workload.LabelTrigger, string(v1alpha1.TriggerSalesChannelManual)))
			Expect(job.Labels[workload.LabelInventorySync]).To(BeElementOf("berlin", "hamburg"))
			Expect(job.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--strategy=Absolute"))
			Expect(job.OwnerReferences).To(ContainElement(HaveField("Name", job.Labels[workload.LabelInventorySync])))
		}

		By("the same token again starts nothing")
		requestSync(ch, "2026-11-26T10:00:00Z")
		Consistently(func() []batchv1.Job { return jobsOf(ns, "") }, "1s").Should(HaveLen(2))

		By("a new one waits for the runs in progress, each sync saying so, then starts one more run each")
		requestSync(ch, "2026-11-26T11:00:00Z")
		berlin := &v1alpha1.InventorySync{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "berlin"}}
		berlinConds := func() []metav1.Condition { return berlin.Status.Conditions }
		Eventually(condition(berlin, berlinConds, v1alpha1.ConditionRunQueued)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonRunInProgress))
		Expect(meta.FindStatusCondition(berlin.Status.Conditions, v1alpha1.ConditionRunQueued).Message).To(ContainSubstring("2026-11-26T11:00:00Z"))
		Consistently(func() []batchv1.Job { return jobsOf(ns, "") }, "1s").Should(HaveLen(2))
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(ch), ch)).To(Succeed())
		Expect(ch.Status.LastHandledSyncRequest).To(Equal("2026-11-26T10:00:00Z"))
		for _, job := range jobs {
			finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(1, 1, 0, 0, 0)}, true)
		}
		Eventually(func() []batchv1.Job { return jobsOf(ns, "") }, "30s").Should(HaveLen(4))
		Eventually(func(g Gomega) string {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(ch), ch)).To(Succeed())
			return ch.Status.LastHandledSyncRequest
		}, "30s").Should(Equal("2026-11-26T11:00:00Z"))
		Eventually(condition(berlin, berlinConds, v1alpha1.ConditionRunQueued)).Should(BeNil())
	})
})

// requestSync sets the sync-requested-at annotation on an object.
func requestSync(obj client.Object, token string) {
	patch := []byte(`{"metadata":{"annotations":{"` + v1alpha1.SyncRequestedAtAnnotation + `":"` + token + `"}}}`)
	Expect(k8s.Patch(ctx, obj, client.RawPatch(client.Merge.Type(), patch))).To(Succeed())
}

// jobsOf lists the Jobs of one InventorySync, or of all of them when name is empty.
func jobsOf(ns, name string) []batchv1.Job {
	var jobs batchv1.JobList
	match := client.MatchingLabels{workload.LabelManagedBy: workload.ManagedByValue}
	if name != "" {
		match[workload.LabelInventorySync] = name
	}
	Expect(k8s.List(ctx, &jobs, client.InNamespace(ns), match)).To(Succeed())
	return jobs.Items
}
