package syncrun

import (
	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/skumap"
)

// preview is the report of a plan: the counts a run would reach if every write applied, and
// the first changes in SKU order. A SKU with items to write counts as updated once, however
// many of its items differ, as a run counts it. fed, the feeds' levels before the allocation
// rules (nil without rules), tells which changes the rules lowered; a kit's change names its
// limiting component.
func preview(pl plan, cat *catalog, fed *fulfillment.Levels, limitedBy func(channelSKU string) string) Report {
	counts := pl.settled()
	var changes []v1alpha1.PlannedChange
	for pos, i := range pl.pending {
		if pos > 0 && cat.level[pl.pending[pos-1]] == cat.level[i] {
			continue
		}
		counts.Updated++
		if len(changes) < v1alpha1.MaxChangeSample {
			level := cat.sku(i)
			change := v1alpha1.PlannedChange{SKU: level.SKU, From: cat.quantity[i], To: level.Quantity, LimitedBy: limitedBy(level.SKU)}
			if q, ok := fed.Lookup(level.SKU); ok && q != level.Quantity {
				change.Feed = q
			}
			changes = append(changes, change)
		}
	}
	return Report{Status: Succeeded, Result: v1alpha1.SyncResult{SKUs: counts, Changes: changes}}
}

// limitingComponent returns, for a kit of the mapping, the warehouse SKU whose level sets what
// it shows; "" for any other SKU. It is asked only for the few changes a plan samples.
func limitingComponent(m *skumap.Mapping, warehouse *fulfillment.Levels) func(string) string {
	return func(channelSKU string) string {
		if m == nil {
			return ""
		}
		comps, ok := m.Components(channelSKU)
		if !ok || !skumap.IsKit(comps) {
			return ""
		}
		_, k := skumap.LevelOf(comps, warehouse.Lookup)
		return comps[k].WarehouseSKU
	}
}
