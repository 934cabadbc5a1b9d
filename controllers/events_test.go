package controllers

import (
	"strings"
	"unicode/utf8"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/eventnote"
)

var _ = Describe("Events", func() {
	It("report a failed run whose message exceeds the API server's note limit, shortened on a character boundary", func() {
		ns := newNamespace()
		ch := readyChannel(ns, "shopify-eu", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "verbose", ch.Name, every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())
		requestSync(s, "first")
		Eventually(func() []batchv1.Job { return jobsOf(ns, s.Name) }).Should(HaveLen(1))
		job := jobsOf(ns, s.Name)[0]
		long := strings.Repeat("ü", 1500) // 3000 bytes, two to a character
		finishJob(&job, &v1alpha1.SyncResult{SKUs: counts(10, 2, 5, 0, 3), Message: long}, false)

		var note string
		Eventually(func(g Gomega) {
			var list eventsv1.EventList
			g.Expect(k8s.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
			for _, e := range list.Items {
				if e.Regarding.Name == s.Name && e.Reason == v1alpha1.ReasonLastRunFailed {
					note = e.Note
				}
			}
			g.Expect(note).NotTo(BeEmpty())
		}).Should(Succeed())
		Expect(len(note)).To(BeNumerically("<=", eventnote.MaxBytes))
		Expect(utf8.ValidString(note)).To(BeTrue())
		Expect(note).To(ContainSubstring("failed 3"))
		Expect(note).To(HaveSuffix("ü…"))
	})
})
