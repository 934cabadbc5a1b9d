package controllers

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/syncpod"
)

const mappingHeader = "channelSKU,warehouseSKU,quantity\n"

func mappingConfigMap(ns, name, rows string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Data:       map[string]string{"rows.csv": mappingHeader + rows},
	}
}

func mappingRef(name string) *v1alpha1.CatalogMapping {
	return &v1alpha1.CatalogMapping{ConfigMapRef: &v1alpha1.ConfigMapKeySelector{Name: name, Key: "rows.csv"}}
}

var _ = Describe("Mappings", func() {
	It("validates a ConfigMap's mapping once per version and names what to fix", func() {
		ns := newNamespace()
		api := &countingReader{Reader: k8s}
		mappings := NewMappings(k8s, api)
		ref := mappingRef("catalog")
		check := func() (mappingSummary, *blocker) {
			s, b, err := mappings.check(ctx, ns, *ref.ConfigMapRef, ref.Unmapped)
			Expect(err).NotTo(HaveOccurred())
			return s, b
		}

		_, b := check()
		Expect(b).To(HaveField("Reason", v1alpha1.ReasonConfigMapNotFound))

		cm := mappingConfigMap(ns, "catalog", "GIFT-BOX,MUG,1\nGIFT-BOX,TEA,2\nSHOP-TEE-M,TS-M,0\n")
		Expect(k8s.Create(ctx, cm)).To(Succeed())
		_, b = check()
		Expect(b).To(HaveField("Reason", v1alpha1.ReasonMappingInvalid))
		Expect(b.Message).To(ContainSubstring(`line 4 ("SHOP-TEE-M", "TS-M", 0): quantity 0 is outside 1..1000000`))

		cm.Data["rows.csv"] = mappingHeader + "GIFT-BOX,MUG,1\nGIFT-BOX,TEA,2\nSHOP-TEE-M,TS-M,1\n"
		Expect(k8s.Update(ctx, cm)).To(Succeed())
		s, b := check()
		Expect(b).To(BeNil())
		Expect(s).To(Equal(mappingSummary{rows: 3, kits: 1, aliases: 1}))
		reads := api.gets.Load()
		_, _ = check()
		_, _ = check()
		Expect(api.gets.Load()).To(Equal(reads), "an unchanged ConfigMap was read again")

		cm.Data = map[string]string{"other.csv": mappingHeader}
		Expect(k8s.Update(ctx, cm)).To(Succeed())
		_, b = check()
		Expect(b).To(HaveField("Reason", v1alpha1.ReasonConfigMapKeyNotFound))
	})
})

var _ = Describe("InventorySync catalog mapping", func() {
	It("reports the mapping's source and rows, blocks runs while it is invalid, and mounts it in the runs' pods", func() {
		ns := newNamespace()
		ch := salesChannel(ns, "shop", v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
		ch.Spec.Inventory.Mapping = mappingRef("catalog")
		Expect(k8s.Create(ctx, credentials(ns, "shop-admin"))).To(Succeed())
		Expect(k8s.Create(ctx, ch)).To(Succeed())
		sync := inventorySync(ns, "berlin", "shop", every15m())
		Expect(k8s.Create(ctx, sync)).To(Succeed())
		conds := func() []metav1.Condition { return sync.Status.Conditions }

		Eventually(condition(sync, conds, v1alpha1.ConditionMappingValid)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonConfigMapNotFound))
		Eventually(condition(sync, conds, v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonConfigMapNotFound))

		cm := mappingConfigMap(ns, "catalog", "A,B,1\nB,A,1\n")
		Expect(k8s.Create(ctx, cm)).To(Succeed())
		Eventually(condition(sync, conds, v1alpha1.ConditionMappingValid)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonMappingInvalid))
		Expect(conditionMessage(sync, v1alpha1.ConditionMappingValid)).To(ContainSubstring(`cycle "A" → "B" → "A"`))

		cm.Data["rows.csv"] = mappingHeader + "GIFT-BOX,MUG,1\nGIFT-BOX,TEA,2\nSHOP-TEE-M,TS-M,1\n"
		Expect(k8s.Update(ctx, cm)).To(Succeed())
		Eventually(condition(sync, conds, v1alpha1.ConditionMappingValid)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonMappingLoaded))
		Expect(sync.Status.Mapping).To(Equal(&v1alpha1.MappingStatus{
			Source: "ConfigMap catalog, key rows.csv", From: "SalesChannel", Rows: 3, Kits: 1, Aliases: 1, Unmapped: v1alpha1.UnmappedSelf,
		}))
		Eventually(condition(sync, conds, v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))

		var cron batchv1.CronJob
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "berlin"}, &cron)).To(Succeed())
		pod := cron.Spec.JobTemplate.Spec.Template.Spec
		Expect(pod.Volumes).To(HaveLen(1))
		Expect(pod.Volumes[0].ConfigMap.Name).To(Equal("catalog"))
		Expect(pod.Containers[0].Args).To(ContainElement("--mapping-file=" + syncpod.MappingPath))
		Expect(*pod.AutomountServiceAccountToken).To(BeFalse())

		By("a plan's mapping counts and a kit's limiting component land in lastPlan")
		requestPlan(sync, "p1")
		Eventually(handledPlan(sync)).Should(Equal("p1"))
		jobs := jobsOf(ns, sync.Name)
		Expect(jobs).To(HaveLen(1))
		Expect(jobs[0].Spec.Template.Spec.Volumes).To(HaveLen(1))
		mapped := &v1alpha1.MappingCounts{WarehouseSKUs: 4, Kits: 1, Aliases: 1, Unmapped: 1}
		changes := []v1alpha1.PlannedChange{{SKU: "GIFT-BOX", From: 0, To: 3, LimitedBy: "TEA"}}
		finishJob(&jobs[0], &v1alpha1.SyncResult{SKUs: v1alpha1.SKUCounts{Read: 3, Updated: 1, Unchanged: 2}, Changes: changes, Mapping: mapped}, true)
		Eventually(func(g Gomega) *v1alpha1.MappingCounts {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(sync), sync)).To(Succeed())
			g.Expect(sync.Status.LastPlan).NotTo(BeNil())
			return sync.Status.LastPlan.Mapping
		}).Should(Equal(mapped))
		Expect(sync.Status.LastPlan.Changes).To(Equal(changes))

		// The sync's own mapping replaces the channel's.
		Expect(k8s.Create(ctx, mappingConfigMap(ns, "berlin-catalog", "SHOP-TEE-M,TS-M,1\n"))).To(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(sync), sync)).To(Succeed())
		sync.Spec.Mapping = mappingRef("berlin-catalog")
		sync.Spec.Mapping.Unmapped = v1alpha1.UnmappedSkip
		Expect(k8s.Update(ctx, sync)).To(Succeed())
		Eventually(func(g Gomega) *v1alpha1.MappingStatus {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(sync), sync)).To(Succeed())
			return sync.Status.Mapping
		}).Should(Equal(&v1alpha1.MappingStatus{
			Source: "ConfigMap berlin-catalog, key rows.csv", From: "InventorySync", Rows: 1, Aliases: 1, Unmapped: v1alpha1.UnmappedSkip,
		}))
	})

	It("never fetches a mapping read from a URL: checks its token, redacts its URL, and takes its rows from the last run", func() {
		ns := newNamespace()
		ch := salesChannel(ns, "shop", v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
		ch.Spec.Inventory.Mapping = &v1alpha1.CatalogMapping{Feed: &v1alpha1.FeedSource{
			URL: "https://pim.example/catalog.csv?sig=s3cr3t", BearerTokenSecretRef: &v1alpha1.SecretKeySelector{Name: "pim", Key: "token"},
		}}
		Expect(k8s.Create(ctx, credentials(ns, "shop-admin"))).To(Succeed())
		Expect(k8s.Create(ctx, ch)).To(Succeed())
		sync := inventorySync(ns, "berlin", "shop", every15m())
		Expect(k8s.Create(ctx, sync)).To(Succeed())
		conds := func() []metav1.Condition { return sync.Status.Conditions }

		Eventually(condition(sync, conds, v1alpha1.ConditionMappingValid)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonSecretNotFound))
		Expect(k8s.Create(ctx, credentials(ns, "pim"))).To(Succeed())
		Eventually(condition(sync, conds, v1alpha1.ConditionMappingValid)).Should(haveCondition(metav1.ConditionUnknown, v1alpha1.ReasonValidatedByRuns))
		Expect(sync.Status.Mapping.Source).To(Equal("feed https://pim.example/catalog.csv?sig=REDACTED"))
		Expect(sync.Status.Mapping.Rows).To(BeZero())

		requestSync(sync, "s1")
		var job batchv1.Job
		Eventually(func() []batchv1.Job { return jobsOf(ns, sync.Name) }).Should(HaveLen(1))
		job = jobsOf(ns, sync.Name)[0]
		Expect(job.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--mapping-url=https://pim.example/catalog.csv?sig=s3cr3t"))
		finishJob(&job, &v1alpha1.SyncResult{SKUs: v1alpha1.SKUCounts{Read: 2, Updated: 2}, Mapping: &v1alpha1.MappingCounts{Rows: 40, WarehouseSKUs: 3, Kits: 1, Aliases: 1}}, true)
		Eventually(func(g Gomega) int64 {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(sync), sync)).To(Succeed())
			g.Expect(sync.Status.Mapping).NotTo(BeNil())
			return sync.Status.Mapping.Rows
		}).Should(Equal(int64(40)))
	})

	It("refuses an unknown unmapped policy and a ConfigMap name that cannot exist", func() {
		ns := newNamespace()
		sync := inventorySync(ns, "bad-unmapped", "shop", nil)
		sync.Spec.Mapping = mappingRef("catalog")
		sync.Spec.Mapping.Unmapped = "Sometimes"
		Expect(k8s.Create(ctx, sync)).NotTo(Succeed())
		sync = inventorySync(ns, "bad-name", "shop", nil)
		sync.Spec.Mapping = mappingRef("Not_A_Name")
		Expect(k8s.Create(ctx, sync)).NotTo(Succeed())
		sync = inventorySync(ns, "both", "shop", nil)
		sync.Spec.Mapping = mappingRef("catalog")
		sync.Spec.Mapping.Feed = &v1alpha1.FeedSource{URL: "https://pim.example/catalog.csv"}
		Expect(k8s.Create(ctx, sync)).To(MatchError(ContainSubstring("set exactly one of configMapRef and feed")))
		sync = inventorySync(ns, "neither", "shop", nil)
		sync.Spec.Mapping = &v1alpha1.CatalogMapping{}
		Expect(k8s.Create(ctx, sync)).To(MatchError(ContainSubstring("set exactly one of configMapRef and feed")))
	})
})

// conditionMessage returns the message of one of the sync's conditions as last read.
func conditionMessage(sync *v1alpha1.InventorySync, typ string) string {
	for _, c := range sync.Status.Conditions {
		if c.Type == typ {
			return c.Message
		}
	}
	return ""
}
