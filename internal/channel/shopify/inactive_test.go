package shopify

import (
	"context"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// Since 2026-04 a deactivated inventory level keeps its quantities and takes writes, but
// inventoryLevel hides it unless asked with includeInactive: the connector reads it like an
// active one, by search and by bulk, and writes it.
func TestAnInactiveLevelIsReadAndWrittenLikeAnActiveOne(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		shop := newFakeShop(t, v1alpha1.PlanStandard)
		item := shop.variant("A", 7)
		shop.DeactivateLevel(item, shop.location)
		conn := shop.connector(t, func(c *Config) {
			if bulk {
				c.BulkThreshold = 0
			}
		})
		items := collect(t, conn, []string{"A"})
		if len(items) != 1 || items[0] != (channel.Item{ID: item, SKU: "A", Quantity: 7}) {
			t.Fatalf("bulk %v: read %+v, want A with 7, stocked", bulk, items)
		}
		results, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "run-1", []channel.Change{
			{ItemID: item, SKU: "A", Quantity: 4, CompareQuantity: ptr(items[0].Quantity)},
		})
		if err != nil || results[0].Outcome != channel.Applied {
			t.Fatalf("bulk %v: Write: %v %+v", bulk, err, results)
		}
		if got := shop.Available(item, shop.location); got != 4 || shop.Active(item, shop.location) {
			t.Fatalf("bulk %v: available %d, active %v; want 4 on the level still inactive", bulk, got, shop.Active(item, shop.location))
		}
	}
}
