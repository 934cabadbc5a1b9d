package fulfillment

import (
	"net/http"
	"time"
)

// Snapshot is when the levels were true: the feed's Last-Modified, else the time it was
// read. Several summed feeds give the oldest of theirs, so no reservation one of them does
// not count yet is left out.
func (l *Levels) Snapshot() time.Time {
	if l == nil {
		return time.Time{}
	}
	return l.snapshot
}

// WithSnapshot returns levels sharing l's SKUs and quantities, true at t.
func (l *Levels) WithSnapshot(t time.Time) *Levels {
	out := *l
	out.snapshot = t
	return &out
}

// MapBySKU returns levels with the same SKUs and each quantity replaced by f of the SKU and
// it, sharing l's SKUs.
func (l *Levels) MapBySKU(f func(sku string, q int64) int64) *Levels {
	if l == nil {
		return nil
	}
	out := *l
	out.quantities = make([]int64, len(l.quantities))
	for i, q := range l.quantities {
		out.quantities[i] = f(l.skuAt(uint32(i)), q)
	}
	return &out
}

// snapshotOf is the time a feed's response says its levels were true: its Last-Modified
// header when it has a valid one no later than read, else read.
func snapshotOf(h http.Header, read time.Time) time.Time {
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil && !t.After(read) {
		return t
	}
	return read
}
