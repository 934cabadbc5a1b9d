// Package fulfillment reads a fulfillment channel's current inventory levels from its feed:
// a CSV, JSON or NDJSON document, optionally gzip-compressed, fetched over HTTP.
//
// A feed is validated as a whole before anything uses it: a malformed feed yields one error
// listing its problems with their positions, so a person can fix it in one go, and no level
// of it is ever pushed to a channel.
package fulfillment

import (
	"iter"
	"slices"
	"strings"
	"time"
)

// Level is one SKU's quantity in a fulfillment feed.
type Level struct {
	SKU      string
	Quantity int64
}

// Levels is the content of one feed: one quantity per SKU. It holds a million SKUs in a few
// tens of megabytes: every SKU lives in one shared string, addressed by end offsets, and a
// permutation sorted by SKU serves lookups and ordered iteration. Levels is immutable and safe
// for concurrent reads.
type Levels struct {
	// arena is every SKU concatenated, in feed order.
	arena string
	// ends[i] is where the i-th SKU of the feed ends in arena; it starts at ends[i-1] (or 0).
	ends []uint32
	// quantities[i] is the quantity of the i-th SKU of the feed.
	quantities []int64
	// order lists feed indexes by ascending SKU (byte-wise).
	order []uint32
	// snapshot is when the levels were true, zero when unknown.
	snapshot time.Time
}

// Len is the number of SKUs.
func (l *Levels) Len() int {
	if l == nil {
		return 0
	}
	return len(l.order)
}

// Lookup returns the quantity of sku, and whether the feed lists it.
func (l *Levels) Lookup(sku string) (int64, bool) {
	if l == nil {
		return 0, false
	}
	k, found := slices.BinarySearchFunc(l.order, sku, func(i uint32, target string) int {
		return strings.Compare(l.skuAt(i), target)
	})
	if !found {
		return 0, false
	}
	return l.quantities[l.order[k]], true
}

// At returns the k-th level in ascending SKU order, 0 <= k < Len().
func (l *Levels) At(k int) Level {
	i := l.order[k]
	return Level{SKU: l.skuAt(i), Quantity: l.quantities[i]}
}

// All yields every SKU and its quantity in ascending SKU order (byte-wise), the same order
// on every call.
func (l *Levels) All() iter.Seq2[string, int64] {
	return func(yield func(string, int64) bool) {
		for k := range l.Len() {
			i := l.order[k]
			if !yield(l.skuAt(i), l.quantities[i]) {
				return
			}
		}
	}
}

// skuAt returns the SKU at feed index i; it shares arena's memory.
func (l *Levels) skuAt(i uint32) string {
	var start uint32
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.arena[start:l.ends[i]]
}
