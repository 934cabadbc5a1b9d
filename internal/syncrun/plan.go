package syncrun

import (
	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// plan is what a run has to write, decided from the feed and the channel's items alone.
type plan struct {
	// read, unchanged, skippedDuplicates, notFound, untracked and notStocked count SKUs
	// settled without a write.
	read, unchanged, skippedDuplicates, notFound, untracked, notStocked, nativeBundles int64
	// pending lists the catalog items to write, grouped by SKU in ascending SKU order; an
	// UpdateAll SKU with several items lists those of them that differ from the feed.
	pending []uint32
}

// settled is the counts of the SKUs the plan settles without a write; a run or a preview
// adds those it writes.
func (p plan) settled() v1alpha1.SKUCounts {
	return v1alpha1.SKUCounts{
		Read:              p.read,
		Unchanged:         p.unchanged,
		SkippedDuplicates: p.skippedDuplicates,
		NotFound:          p.notFound,
		Untracked:         p.untracked,
		NotStocked:        p.notStocked,
		NativeBundles:     p.nativeBundles,
	}
}

// makePlan compares the feed with the channel's items and applies the duplicate-SKU policy.
// Items the channel does not track are never written, nor are items not stocked at the
// location unless stock is set; a SKU left with no item to write counts as untracked, or
// notStocked when some of its items are merely unstocked, or nativeBundles when some are
// bundles the channel computes itself (those are never written, whatever the policy). It is pure: the catalog must be
// sealed.
func makePlan(cat *catalog, policy v1alpha1.DuplicateSKUPolicy, stock bool) plan {
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
			before, writable, unstocked, bundled := len(p.pending), 0, false, false
			for _, i := range items {
				switch {
				case cat.bundles[i]:
					bundled = true
					continue
				case cat.untracked[i]:
					continue
				case cat.notStocked[i] && !stock:
					unstocked = true
					continue
				}
				writable++
				if cat.quantity[i] != want {
					p.pending = append(p.pending, i)
				}
			}
			switch {
			case writable == 0 && bundled:
				p.nativeBundles++
			case writable == 0 && unstocked:
				p.notStocked++
			case writable == 0:
				p.untracked++
			case len(p.pending) == before:
				p.unchanged++
			}
		}
	}
	return p
}
