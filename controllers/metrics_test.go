package controllers

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	batchv1 "k8s.io/api/batch/v1"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// metricValue reads the series carrying the labels from the manager's registry, as a scrape of
// /metrics would, summed when several do; ok is false when none exists.
func metricValue(name string, labels map[string]string) (value float64, ok bool) {
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue series
				}
			}
			value += sampleValue(f.GetType(), m)
			ok = true
		}
	}
	return value, ok
}

func sampleValue(t dto.MetricType, m *dto.Metric) float64 {
	switch t {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	}
	Fail("unexpected metric type " + t.String())
	return 0
}

// metric is a getter of one series for Eventually; a missing series reads as -1.
func metric(name string, labels map[string]string) func() float64 {
	return func() float64 {
		v, ok := metricValue(name, labels)
		if !ok {
			return -1
		}
		return v
	}
}

var _ = Describe("The manager's metrics", func() {
	It("report a sync's runs, counts and schedule, and a channel's mode and readiness, and forget deleted objects", func() {
		ns := newNamespace()
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "flaky", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		sync := map[string]string{"namespace": ns, "inventorysync": s.Name}
		channel := map[string]string{"namespace": ns, "saleschannel": ch.Name}

		Eventually(metric("inventory_operator_saleschannel_ready", channel)).Should(BeNumerically("==", 1))
		Eventually(metric("inventory_operator_saleschannel_effective_mode",
			map[string]string{"namespace": ns, "saleschannel": ch.Name, "mode": string(v1alpha1.ModeSynchronizeWithFulfillmentChannel)})).Should(BeNumerically("==", 1))
		Eventually(metric("inventory_operator_sync_schedule_interval_seconds", sync)).Should(BeNumerically("==", 900))
		Eventually(metric("inventory_operator_sync_suspended", sync)).Should(BeNumerically("==", 0))

		requestSync(s, "first")
		Eventually(func() []batchv1.Job { return jobsOf(ns, s.Name) }).Should(HaveLen(1))
		job := jobsOf(ns, s.Name)[0]
		finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(10, 2, 5, 0, 3)}, false)

		Eventually(metric("inventory_operator_sync_last_run_success", sync)).Should(BeNumerically("==", 0))
		Eventually(metric("inventory_operator_sync_runs_total",
			map[string]string{"namespace": ns, "inventorysync": s.Name, "trigger": string(v1alpha1.TriggerFulfillmentManual), "result": "Failed"})).Should(BeNumerically("==", 1))
		for outcome, n := range map[string]float64{"read": 10, "unchanged": 2, "updated": 5, "failed": 3, "skipped_duplicates": 0, "not_found": 0, "untracked": 0, "not_stocked": 0, "native_bundles": 0} {
			Expect(metric("inventory_operator_sync_last_run_skus",
				map[string]string{"namespace": ns, "inventorysync": s.Name, "outcome": outcome})()).To(BeNumerically("==", n), outcome)
		}
		Expect(metric("inventory_operator_sync_last_run_end_timestamp_seconds", sync)()).To(BeNumerically(">", 0))
		_, succeeded := metricValue("inventory_operator_sync_last_success_timestamp_seconds", sync)
		Expect(succeeded).To(BeFalse(), "no run has succeeded yet")

		By("deleting the objects drops their series")
		Expect(k8s.Delete(ctx, s)).To(Succeed())
		Expect(k8s.Delete(ctx, ch)).To(Succeed())
		Eventually(func() bool { _, ok := metricValue("inventory_operator_sync_last_run_skus", sync); return ok }).Should(BeFalse())
		Eventually(func() bool { _, ok := metricValue("inventory_operator_saleschannel_ready", channel); return ok }).Should(BeFalse())
	})
})
