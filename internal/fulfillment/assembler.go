package fulfillment

import "fmt"

// Assembler builds Levels from SKUs given in any order, for levels derived from a feed (a
// catalog mapping's channel SKUs) rather than parsed from one.
type Assembler struct{ b *builder }

// NewAssembler returns an Assembler sized for about n SKUs.
func NewAssembler(n int) *Assembler {
	b := newBuilder(UnitLine)
	b.ends = make([]uint32, 0, n)
	b.quantities = make([]int64, 0, n)
	b.positions = make([]uint32, 0, n)
	return &Assembler{b: b}
}

// Add records one SKU's quantity.
func (a *Assembler) Add(sku string, quantity int64) error {
	if len(a.b.ends) >= MaxRows {
		return fmt.Errorf("more than %d SKUs: %w", MaxRows, ErrTooLarge)
	}
	return a.b.add(sku, quantity, int64(len(a.b.ends)+1))
}

// Levels returns the levels added; a SKU added twice is an error naming it.
func (a *Assembler) Levels() (*Levels, error) { return a.b.finish() }
