package shopify

import (
	"context"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// A bundle's parent variant (requiresComponents: true in the 2026-10 schema) is read as a
// native bundle, paged and in bulk, so that runs never write it.
func TestBundleParentsAreReadAsNativeBundles(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	plain, bundle := shop.variant("MUG", 4), shop.variant("GIFT-BOX", 2)
	shop.SetBundle(bundle)
	for _, bulk := range []bool{false, true} {
		conn := shop.connector(t, func(c *Config) {
			if bulk {
				c.BulkThreshold = 1
			}
		})
		items := collect(t, conn, []string{"GIFT-BOX", "MUG"})
		byID := map[string]channel.Item{}
		for _, it := range items {
			byID[it.ID] = it
		}
		if len(items) != 2 || byID[plain].NativeBundle || !byID[bundle].NativeBundle {
			t.Fatalf("bulk %v: read %+v", bulk, items)
		}
	}
	shop.AssertNoErrors(t)
}

// The fake refuses a write to a bundle's parent as Shopify documents, and the connector
// writes the rest of the batch.
func TestABundleParentInABatchFailsAloneAsDocumented(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	a, bundle, b := shop.variant("A", 1), shop.variant("GIFT-BOX", 1), shop.variant("B", 1)
	shop.SetBundle(bundle)
	conn := shop.connector(t, nil)
	results, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "run-1", []channel.Change{
		{ItemID: a, Quantity: 5, CompareQuantity: ptr(int64(1))},
		{ItemID: bundle, Quantity: 5, CompareQuantity: ptr(int64(1))},
		{ItemID: b, Quantity: 6, CompareQuantity: ptr(int64(1))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Outcome != channel.Applied || results[2].Outcome != channel.Applied ||
		results[1].Outcome != channel.Failed || !strings.Contains(results[1].Reason, "NON_MUTABLE_INVENTORY_ITEM") {
		t.Fatalf("results %+v", results)
	}
	if shop.Available(a, shop.location) != 5 || shop.Available(b, shop.location) != 6 || shop.Available(bundle, shop.location) != 1 {
		t.Fatal("the batch around the bundle was not written, or the bundle was")
	}
}
