package fulfillment

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/techoms/inventory-operator/internal/channel"
)

// builder accumulates a feed's levels in feed order, then sorts and validates them.
type builder struct {
	arena      strings.Builder
	ends       []uint32
	quantities []int64
	// positions[i] is the line of the i-th SKU; JSON feeds leave it empty, the position
	// being the index itself.
	positions []uint32
	problems  problemList
}

func newBuilder(unit Unit) *builder {
	return &builder{problems: problemList{unit: unit}}
}

// add records one valid row. It fails only when the SKUs outgrow the offsets' range, which a
// feed within any sensible size cap cannot reach.
func (b *builder) add(sku string, quantity int64, position int64) error {
	if b.arena.Len()+len(sku) > math.MaxUint32 || len(b.ends) == math.MaxUint32 {
		return fmt.Errorf("feed is too large: its SKUs exceed 4 GiB")
	}
	b.arena.WriteString(sku)
	b.ends = append(b.ends, uint32(b.arena.Len()))
	b.quantities = append(b.quantities, quantity)
	if b.problems.unit == UnitLine {
		b.positions = append(b.positions, uint32(min(position, math.MaxUint32)))
	}
	return nil
}

func (b *builder) position(i uint32) int64 {
	if b.problems.unit == UnitLine {
		return int64(b.positions[i])
	}
	return int64(i)
}

// finish sorts the levels by SKU, reports SKUs listed more than once, and returns the levels
// or every problem found.
func (b *builder) finish() (*Levels, error) {
	l := &Levels{arena: b.arena.String(), ends: slices.Clip(b.ends), quantities: slices.Clip(b.quantities)}
	l.order = make([]uint32, len(l.ends))
	for i := range l.order {
		l.order[i] = uint32(i)
	}
	// Ties break on feed order, so repeats of a SKU follow their first listing.
	slices.SortFunc(l.order, func(i, j uint32) int {
		if c := strings.Compare(l.skuAt(i), l.skuAt(j)); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	runStart := 0
	for k := 1; k < len(l.order); k++ {
		first, again := l.order[runStart], l.order[k]
		if l.skuAt(first) != l.skuAt(again) {
			runStart = k
			continue
		}
		b.problems.add(b.position(again), "SKU %s is listed again (first at %s %d)",
			quote(l.skuAt(again)), b.problems.unit, b.position(first))
	}
	if err := b.problems.err(); err != nil {
		return nil, err
	}
	return l, nil
}

// parseQuantity checks a quantity's text: a non-negative base-10 integer within
// channel.MaxQuantity, which every channel accepts.
// It returns a problem message when the text is not one.
func parseQuantity(text string) (int64, string) {
	if text == "" {
		return 0, "quantity is empty"
	}
	q, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		if ne := (*strconv.NumError)(nil); errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return 0, fmt.Sprintf("quantity %s is out of range", quote(text))
		}
		return 0, fmt.Sprintf("quantity %s is not an integer", quote(text))
	}
	if q < 0 {
		return 0, fmt.Sprintf("quantity %d is negative", q)
	}
	if err := channel.CheckQuantity("quantity", q); err != nil {
		return 0, err.Error()
	}
	return q, ""
}
