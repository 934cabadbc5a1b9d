package syncrun

import "github.com/techoms/inventory-operator/api/v1alpha1"

// preview is the report of a plan: the counts a run would reach if every write applied, and
// the first changes in SKU order. A SKU with items to write counts as updated once, however
// many of its items differ, as a run counts it.
func preview(pl plan, cat *catalog) Report {
	counts := pl.settled()
	var changes []v1alpha1.PlannedChange
	for pos, i := range pl.pending {
		if pos > 0 && cat.level[pl.pending[pos-1]] == cat.level[i] {
			continue
		}
		counts.Updated++
		if len(changes) < v1alpha1.MaxChangeSample {
			level := cat.sku(i)
			changes = append(changes, v1alpha1.PlannedChange{SKU: level.SKU, From: cat.quantity[i], To: level.Quantity})
		}
	}
	return Report{Status: Succeeded, Result: v1alpha1.SyncResult{SKUs: counts, Changes: changes}}
}
