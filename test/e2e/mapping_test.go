//go:build e2e

package e2e

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// A catalog mapping from a ConfigMap: an alias shows its warehouse SKU's level, a kit of two
// components shows what its scarcer component allows, and a native bundle (which Shopify
// computes from its components) is counted apart and never written. The plan says so first,
// with the kit's limiting component, and the run then writes exactly the plan. The relay
// then moves the alias and, once it knows both components' levels, the kit.
func TestCatalogMappingAliasKitAndNativeBundle(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	create(t, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "catalog", Namespace: ns},
		Data: map[string]string{"rows.csv": "channelSKU,warehouseSKU,quantity\n" +
			"MUG-BLUE,WH-MUG,1\n" +
			"GIFT-SET,WH-MUG,1\n" +
			"GIFT-SET,WH-TEA,2\n"},
	})
	s := newShop(t, ns, stockLine{"MUG-BLUE", 0}, stockLine{"GIFT-SET", 0})
	_, bundle := s.AddVariant("BOX-OF-3")
	s.SetAvailable(bundle, s.location, 4)
	s.SetBundle(bundle)
	// WH-MUG 10 → MUG-BLUE 10; GIFT-SET min(10/1, 7/2) = 3, limited by WH-TEA; BOX-OF-3 has no
	// row, so it keeps its own SKU, and its only item is a native bundle.
	f := newFeed(t, "sku,quantity\nWH-MUG,10\nWH-TEA,7\nBOX-OF-3,9\n")
	ch := newChannel(t, ns, "mapped", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip, func(c *v1alpha1.SalesChannel) {
		c.Spec.Inventory.Mapping = &v1alpha1.CatalogMapping{ConfigMapRef: &v1alpha1.ConfigMapKeySelector{Name: "catalog", Key: "rows.csv"}}
	})
	// A yearly schedule: the plan and the run here are requested by hand.
	sync := newSync(t, ns, "yearly", ch, f, s, "0 0 1 1 *")

	eventually(t, runTimeout, "the mapping validated in status", func() (bool, string) {
		got := getSync(t, ns, sync.Name)
		m := got.Status.Mapping
		if m == nil {
			return false, "no status.mapping"
		}
		return m.Rows == 3 && m.Kits == 1 && m.Aliases == 1, fmt.Sprintf("%+v", *m)
	})

	plan := planOf(t, sync, "plan-1")
	if plan.Result != v1alpha1.RunSucceeded {
		t.Fatalf("plan %+v, want a succeeded plan", *plan)
	}
	changes := slices.Clone(plan.Changes)
	slices.SortFunc(changes, func(a, b v1alpha1.PlannedChange) int { return cmp.Compare(a.SKU, b.SKU) })
	wantChanges := []v1alpha1.PlannedChange{{SKU: "GIFT-SET", From: 0, To: 3, LimitedBy: "WH-TEA"}, {SKU: "MUG-BLUE", From: 0, To: 10}}
	if !slices.Equal(changes, wantChanges) {
		t.Errorf("planned changes %+v, want %+v", changes, wantChanges)
	}
	wantCounts := v1alpha1.SKUCounts{Read: 3, Updated: 2, NativeBundles: 1}
	if got := ptr.Deref(plan.SKUs, v1alpha1.SKUCounts{}); got != wantCounts {
		t.Errorf("plan counts %+v, want %+v", got, wantCounts)
	}
	if writes := s.Stats().ItemsWritten; writes != 0 {
		t.Errorf("the plan wrote %d items", writes)
	}

	requestSync(t, getSync(t, ns, sync.Name), "run-1")
	done := waitRun(t, ns, sync.Name, runTimeout, "the requested run", func(r *v1alpha1.SyncRun) bool {
		return r.Trigger == v1alpha1.TriggerFulfillmentManual
	})
	run := done.Status.LastRun
	if run.Result != v1alpha1.RunSucceeded || counts(run) != wantCounts {
		t.Errorf("run %s: %s, counts %+v, want %+v (%s)", run.Job, run.Result, counts(run), wantCounts, run.Message)
	}
	wantMapping := v1alpha1.MappingCounts{Rows: 3, WarehouseSKUs: 3, Kits: 1, Aliases: 1, Unmapped: 1}
	if run.Mapping == nil || *run.Mapping != wantMapping {
		t.Errorf("run mapping counts %+v, want %+v", run.Mapping, wantMapping)
	}
	s.waitLevels(t, map[string][]int64{"MUG-BLUE": {10}, "GIFT-SET": {3}, "BOX-OF-3": {4}})

	// The relay reads the same ConfigMap. A level of WH-TEA alone cannot move the kit, whose
	// other component's level the relay has not seen; once a level of WH-MUG comes, the kit
	// moves to min(4 / 1, floor(9 / 2)) = 4, and the alias to 4.
	f.set("sku,quantity\nWH-MUG,4\nWH-TEA,9\nBOX-OF-3,9\n")
	relay, relayURL := startRelay(t, ns, "relay-token")
	answers := func(a relayAnswer) []string {
		var out []string
		for _, r := range a.Results {
			for _, c := range r.Channels {
				out = append(out, c.SKU+" "+c.Status+" "+c.Reason)
			}
		}
		return out
	}
	tea := sendEvents(t, relay, relayURL, "relay-token",
		`{"events":[{"id":"tea-1","trigger":"APIBulkUpdate","sku":"WH-TEA","fulfillmentChannel":"warehouse","quantityBefore":7,"quantityAfter":9}]}`)
	if got, want := answers(tea), []string{"GIFT-SET NotApplicable KitNeedsLevels"}; !slices.Equal(got, want) {
		t.Errorf("WH-TEA's answers %q, want %q", got, want)
	}
	mug := sendEvents(t, relay, relayURL, "relay-token",
		`{"events":[{"id":"mug-1","trigger":"APIBulkUpdate","sku":"WH-MUG","fulfillmentChannel":"warehouse","quantityBefore":10,"quantityAfter":4}]}`)
	if got, want := answers(mug), []string{"GIFT-SET Pushed ", "MUG-BLUE Pushed "}; !slices.Equal(got, want) {
		t.Errorf("WH-MUG's answers %q, want %q", got, want)
	}
	s.waitLevels(t, map[string][]int64{"MUG-BLUE": {4}, "GIFT-SET": {4}, "BOX-OF-3": {4}})
}
