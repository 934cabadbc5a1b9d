package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/techoms/inventory-operator/internal/channel"
)

// Source supplies one feed's levels; Feed is one.
type Source interface {
	Read(ctx context.Context) (*Levels, error)
}

// NamedSource is one feed of several, named so an error says which.
type NamedSource struct {
	Name   string
	Source Source
}

// Sum is the levels of several feeds added up per SKU: several warehouses written into one
// channel location. The feeds are read one after the other, so only the running sum and one
// feed are held at a time; any feed's error fails the whole read, naming the feed, and no
// level is returned. Together the feeds may list at most MaxRows distinct SKUs, and each SKU's
// sum must stay within channel.MaxQuantity: one feed's bounds, so that the sum fits where one
// feed does and no channel is sent a quantity it refuses.
type Sum []NamedSource

// ErrSumOutOfRange is wrapped by the error of a sum whose quantity for one SKU leaves
// ±channel.MaxQuantity. Like a malformed feed, it fails a run for good: reading the same
// feeds again gives the same sum.
var ErrSumOutOfRange = errors.New("summed quantity out of range")

// Read reads every feed and returns their sum. A single feed is returned as it is read, its
// errors unchanged.
func (s Sum) Read(ctx context.Context) (*Levels, error) {
	if len(s) == 1 {
		return s[0].Source.Read(ctx)
	}
	var total *Levels
	for _, feed := range s {
		levels, err := feed.Source.Read(ctx)
		if err != nil {
			return nil, fmt.Errorf("feed %s: %w", feed.Name, err)
		}
		if total == nil {
			total = levels
			continue
		}
		oldest := total.Snapshot()
		if levels.Snapshot().Before(oldest) {
			oldest = levels.Snapshot()
		}
		if total, err = add(total, levels); err != nil {
			return nil, fmt.Errorf("feeds up to %s: %w", feed.Name, err)
		}
		if total.Len() > sumLimit {
			return nil, fmt.Errorf("feeds up to %s list more than %d distinct SKUs together: %w", feed.Name, sumLimit, ErrTooLarge)
		}
		total.snapshot = oldest
	}
	if total == nil {
		return nil, fmt.Errorf("no feed to read")
	}
	return total, nil
}

// sumLimit bounds the distinct SKUs of a sum; tests shrink it.
var sumLimit = MaxRows

// add merges two levels in SKU order, summing the quantities of the SKUs both list. It fails
// on the first SKU whose sum leaves ±channel.MaxQuantity, naming it.
func add(a, b *Levels) (*Levels, error) {
	n := a.Len() + b.Len()
	var arena strings.Builder
	arena.Grow(len(a.arena) + len(b.arena))
	sum := &Levels{ends: make([]uint32, 0, n), quantities: make([]int64, 0, n)}
	push := func(sku string, q int64) {
		arena.WriteString(sku)
		sum.ends = append(sum.ends, uint32(arena.Len()))
		sum.quantities = append(sum.quantities, q)
	}
	i, j := 0, 0
	for i < a.Len() || j < b.Len() {
		switch {
		case j == b.Len():
			push(a.At(i).SKU, a.At(i).Quantity)
			i++
		case i == a.Len():
			push(b.At(j).SKU, b.At(j).Quantity)
			j++
		default:
			la, lb := a.At(i), b.At(j)
			switch c := strings.Compare(la.SKU, lb.SKU); {
			case c < 0:
				push(la.SKU, la.Quantity)
				i++
			case c > 0:
				push(lb.SKU, lb.Quantity)
				j++
			default:
				q, ok := channel.AddQuantities(la.Quantity, lb.Quantity)
				if !ok {
					// The operands are printed, not their sum, which could overflow.
					return nil, fmt.Errorf("SKU %s: %d + %d is beyond ±%d, the bound of one feed: %w",
						quote(la.SKU), la.Quantity, lb.Quantity, channel.MaxQuantity, ErrSumOutOfRange)
				}
				push(la.SKU, q)
				i, j = i+1, j+1
			}
		}
	}
	sum.arena = arena.String()
	// The merge wrote the SKUs in order: the order is the identity.
	sum.order = make([]uint32, len(sum.ends))
	for k := range sum.order {
		sum.order[k] = uint32(k)
	}
	return sum, nil
}

// MapQuantities returns levels with the same SKUs and each quantity replaced by f of it,
// sharing l's SKUs: the allocation rules cost one quantity a SKU, not a copy of the feed.
func (l *Levels) MapQuantities(f func(int64) int64) *Levels {
	if l == nil {
		return nil
	}
	out := *l
	out.quantities = make([]int64, len(l.quantities))
	for i, q := range l.quantities {
		out.quantities[i] = f(q)
	}
	return &out
}
