package controllers

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// warningRecorder keeps the admission warnings a client receives, as kubectl prints them.
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

func (w *warningRecorder) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warnings = append(w.warnings, text)
}

func (w *warningRecorder) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.warnings
	w.warnings = nil
	return out
}

// applyKustomizationDir server-side applies the resources a kustomization.yaml lists, in its
// order, as kubectl apply -k does; namespace, when set, holds every object but Namespaces. It
// returns how many objects it applied.
func applyKustomizationDir(dir, namespace string) int {
	var kustomization struct {
		Resources []string `json:"resources"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	Expect(err).NotTo(HaveOccurred())
	Expect(sigsyaml.Unmarshal(data, &kustomization)).To(Succeed())
	applied := 0
	for _, f := range kustomization.Resources {
		data, err := os.ReadFile(filepath.Join(dir, f))
		Expect(err).NotTo(HaveOccurred())
		dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var obj unstructured.Unstructured
			if err := dec.Decode(&obj.Object); errors.Is(err, io.EOF) {
				break
			} else {
				Expect(err).NotTo(HaveOccurred(), f)
			}
			if namespace != "" && obj.GetKind() != "Namespace" {
				obj.SetNamespace(namespace)
			}
			Expect(k8s.Patch(ctx, &obj, client.Apply, client.FieldOwner("config"), client.ForceOwnership)).To(Succeed(), f)
			applied++
		}
	}
	return applied
}

var _ = Describe("The admission warnings in config/admission", Ordered, func() {
	var (
		ns       string
		recorder *warningRecorder
		warned   client.Client
	)
	BeforeAll(func() {
		applyKustomizationDir(filepath.Join("..", "config", "admission"), "")
		recorder = &warningRecorder{}
		warnedCfg := rest.CopyConfig(cfg)
		warnedCfg.WarningHandler = recorder
		var err error
		warned, err = client.New(warnedCfg, client.Options{Scheme: scheme})
		Expect(err).NotTo(HaveOccurred())
		ns = newNamespace()

		// The API server compiles a new policy in the background: wait until it warns.
		Eventually(func() []string {
			ch := salesChannel(ns, "probe", v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsUpdateAll)
			_ = warned.Create(ctx, ch, client.DryRunAll)
			return recorder.take()
		}).ShouldNot(BeEmpty())
	})

	DescribeTable("kubectl apply of a SalesChannel prints",
		func(mutate func(*v1alpha1.SalesChannel), want []string) {
			ch := salesChannel(ns, "warned", v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip)
			ch.Name, ch.GenerateName = "", "warned-"
			mutate(ch)
			recorder.take()
			Expect(warned.Create(ctx, ch)).To(Succeed(), "a warning never denies")
			got := recorder.take()
			Expect(got).To(HaveLen(len(want)), "warnings: %q", got)
			for i, w := range want {
				Expect(got).To(ContainElement(ContainSubstring(w)), "warning %d", i)
			}
		},
		Entry("that UpdateAll on Shopify can oversell and forces the mode",
			func(c *v1alpha1.SalesChannel) { c.Spec.Inventory.DuplicateSKUs = v1alpha1.DuplicateSKUsUpdateAll },
			[]string{"which can oversell, and forces the effective mode to SynchronizeWithFulfillmentChannel"}),
		Entry("that UpdateAll on a Webhook channel only changes the mode",
			func(c *v1alpha1.SalesChannel) {
				c.Spec.Platform = v1alpha1.PlatformWebhook
				c.Spec.Connection.Plan = ""
				c.Spec.Inventory.DuplicateSKUs = v1alpha1.DuplicateSKUsUpdateAll
			},
			[]string{"UpdateAll has no effect on platform Webhook, which has no duplicate-SKU handling; it only forces the effective mode"}),
		Entry("that a plain http URL sends the credential unencrypted",
			func(c *v1alpha1.SalesChannel) { c.Spec.Connection.URL = "http://store.example" },
			[]string{"spec.connection.url is plain http"}),
		Entry("that a quantity name or stocking on a Webhook channel does nothing",
			func(c *v1alpha1.SalesChannel) {
				c.Spec.Platform = v1alpha1.PlatformWebhook
				c.Spec.Connection.Plan = ""
				c.Spec.Inventory.QuantityName = v1alpha1.QuantityOnHand
				c.Spec.Inventory.StockUnstockedItems = true
			},
			[]string{"quantityName and stockUnstockedItems have no effect on platform Webhook"}),
		Entry("nothing for a Webhook channel with the default quantity name",
			func(c *v1alpha1.SalesChannel) {
				c.Spec.Platform = v1alpha1.PlatformWebhook
				c.Spec.Connection.Plan = ""
			}, []string{}),
		Entry("nothing for an https Shopify channel that skips duplicates",
			func(c *v1alpha1.SalesChannel) {}, []string{}),
		Entry("that a percentage of 0 shows nothing",
			func(c *v1alpha1.SalesChannel) {
				c.Spec.Inventory.Mode = v1alpha1.ModeSynchronizeWithFulfillmentChannel
				c.Spec.Inventory.Allocation = &v1alpha1.AllocationRules{Percentage: ptr.To[int64](0)}
			},
			[]string{"makes the channel show 0 of every SKU"}),
		Entry("that a maximum of 0 shows nothing, and the relay needs levels under rules",
			func(c *v1alpha1.SalesChannel) {
				c.Spec.Inventory.Allocation = &v1alpha1.AllocationRules{Maximum: ptr.To[int64](0)}
			},
			[]string{"makes the channel show 0 of every SKU", "the relay needs the warehouse's level after an event (quantityAfter)"}),
		Entry("nothing for rules on a channel of full values",
			func(c *v1alpha1.SalesChannel) {
				c.Spec.Inventory.Mode = v1alpha1.ModeSynchronizeWithFulfillmentChannel
				c.Spec.Inventory.Allocation = &v1alpha1.AllocationRules{Buffer: ptr.To[int64](3), Percentage: ptr.To[int64](80), Maximum: ptr.To[int64](50)}
			}, []string{}),
		Entry("nothing for a Shopify channel writing on_hand and stocking items",
			func(c *v1alpha1.SalesChannel) {
				c.Spec.Inventory.QuantityName = v1alpha1.QuantityOnHand
				c.Spec.Inventory.StockUnstockedItems = true
			}, []string{}),
	)
})
