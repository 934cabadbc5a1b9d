package syncer

import (
	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// plan is what a run has to write, decided from the feed and the channel's items alone.
type plan struct {
	// read, unchanged, skippedDuplicates and notFound count SKUs settled without a write.
	read, unchanged, skippedDuplicates, notFound int64
	// pending lists the catalog items to write, grouped by SKU in ascending SKU order; an
	// UpdateAll SKU with several items lists those of them that differ from the feed.
	pending []uint32
}

// makePlan compares the feed with the channel's items and applies the duplicate-SKU policy.
// It is pure: the catalog must be sealed.
func makePlan(cat *catalog, policy v1alpha1.DuplicateSKUPolicy) plan {
	p := plan{read: int64(cat.levels.Len())}
	order := cat.order
	for k := range cat.levels.Len() {
		want := cat.levels.At(k).Quantity
		// The items of SKU k are the next run of order with level k.
		n := 0
		for n < len(order) && cat.level[order[n]] == uint32(k) {
			n++
		}
		items := order[:n]
		order = order[n:]
		switch {
		case len(items) == 0:
			p.notFound++
		case len(items) > 1 && policy != v1alpha1.DuplicateSKUsUpdateAll:
			p.skippedDuplicates++
		default:
			before := len(p.pending)
			for _, i := range items {
				if cat.quantity[i] != want {
					p.pending = append(p.pending, i)
				}
			}
			if len(p.pending) == before {
				p.unchanged++
			}
		}
	}
	return p
}
