package controllers

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// serverTable asks the API server for the table kubectl get -o wide prints.
func serverTable(path string) metav1.Table {
	httpClient, err := rest.HTTPClientFor(cfg)
	Expect(err).NotTo(HaveOccurred())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.Host, "/")+path+"?includeObject=None", nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	resp, err := httpClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(resp.StatusCode).To(Equal(http.StatusOK), string(body))
	var table metav1.Table
	Expect(json.Unmarshal(body, &table)).To(Succeed())
	return table
}

var _ = Describe("kubectl get inventorysyncs -o wide", func() {
	It("shows the next sync, a future time, as a time rather than <invalid>", func() {
		ns := newNamespace()
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "hourly", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, func() []metav1.Condition { return s.Status.Conditions }, v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionTrue, v1alpha1.ReasonScheduled))
		Expect(s.Status.NextSyncTime).NotTo(BeNil())
		Expect(s.Status.NextSyncTime.Time).To(BeTemporally(">", time.Now()))

		table := serverTable("/apis/inventory.techoms.io/v1alpha1/namespaces/" + ns + "/inventorysyncs")
		column := -1
		for i, c := range table.ColumnDefinitions {
			if c.Name == "Next Sync" {
				column = i
				// kubectl renders a date column as the time since it: a future time is <invalid>.
				Expect(c.Type).NotTo(Equal("date"))
			}
		}
		Expect(column).NotTo(Equal(-1))
		Expect(table.Rows).To(HaveLen(1))
		Expect(table.Rows[0].Cells[column]).To(Equal(s.Status.NextSyncTime.UTC().Format(time.RFC3339)))
	})

	It("shows how many SKUs the last plan found a run would update", func() {
		ns := newNamespace()
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "planned", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		requestPlan(s, "p1")
		Eventually(handledPlan(s)).Should(Equal("p1"))
		job := jobsOf(ns, s.Name)[0]
		finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(9, 2, 7, 0, 0)}, true)
		Eventually(lastPlanResult(s)).Should(Equal(v1alpha1.RunSucceeded))

		table := serverTable("/apis/inventory.techoms.io/v1alpha1/namespaces/" + ns + "/inventorysyncs")
		column := -1
		for i, c := range table.ColumnDefinitions {
			if c.Name == "Plan Updates" {
				column = i
				Expect(c.Priority).To(BeEquivalentTo(1), "only -o wide shows it")
			}
		}
		Expect(column).NotTo(Equal(-1))
		Expect(table.Rows).To(HaveLen(1))
		Expect(table.Rows[0].Cells[column]).To(BeEquivalentTo(7))
	})
})
