package syncrun

import (
	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/reservation"
	"github.com/techoms/inventory-operator/internal/skumap"
)

// preview is the report of a plan: the counts a run would reach if every write applied, and
// the first changes in SKU order. A SKU with items to write counts as updated once, however
// many of its items differ, as a run counts it. fed, the feeds' levels before the allocation
// rules (nil without rules), tells which changes the rules lowered; a kit's change names its
// limiting component.
//
// reserved tells, for a SKU the warehouse's feed lists as it is, its level there and the
// units reservations took off it: a change lowered by them names both.
func preview(pl plan, cat *catalog, fed *fulfillment.Levels, limitedBy func(channelSKU string) string, reserved func(sku string) (feed, units int64)) Report {
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
			if feed, units := reserved(level.SKU); units > 0 {
				change.Feed, change.Reserved = feed, units
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

// reservedIn returns, for a SKU of the warehouse's feed, its level there and the units the
// reservations took off it (never more than the level).
func reservedIn(feed *fulfillment.Levels, counted reservation.Reserved) func(string) (int64, int64) {
	return func(sku string) (int64, int64) {
		r, ok := counted[sku]
		if !ok {
			return 0, 0
		}
		q, ok := feed.Lookup(sku)
		if !ok {
			return 0, 0
		}
		return q, q - reservation.Target(q, r)
	}
}
