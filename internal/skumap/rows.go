package skumap

import (
	"fmt"
	"strings"
)

// MaxQuantity is the largest quantity per unit a row may give: a pack of a million is
// already beyond any catalog, and it keeps kit arithmetic far from overflow.
const MaxQuantity = 1_000_000

// MaxRows bounds a mapping's rows, as fulfillment.MaxRows bounds a feed's.
const MaxRows = 2_000_000

// maxProblems is how many problems an error lists before it says how many more there are:
// enough to fix a catalog in a few passes, short enough for a condition's message.
const maxProblems = 5

// Row is one line of a mapping: the channel SKU needs Quantity units of WarehouseSKU per
// unit sold.
type Row struct {
	ChannelSKU   string
	WarehouseSKU string
	Quantity     int64
	// Position is where the row is in its source (a line of CSV or NDJSON, an element of a
	// JSON array, 1-based), for errors.
	Position int
	// Unit names what Position counts: "line" when empty, or "element".
	Unit string
}

func (r Row) String() string {
	return fmt.Sprintf("%s (%s, %s, %d)", r.where(), quote(r.ChannelSKU), quote(r.WarehouseSKU), r.Quantity)
}

func (r Row) where() string {
	unit := r.Unit
	if unit == "" {
		unit = "line"
	}
	return fmt.Sprintf("%s %d", unit, r.Position)
}

// Unmapped says what happens to a warehouse SKU that no row names.
type Unmapped string

const (
	// UnmappedSelf shows it under its own SKU, as without a mapping.
	UnmappedSelf Unmapped = "Self"
	// UnmappedSkip leaves it out: the channel shows only the SKUs of the rows.
	UnmappedSkip Unmapped = "Skip"
)

// Error is a mapping that cannot be used, with every problem found (up to a few), each
// naming its row.
type Error struct {
	Problems []string
	// More is how many problems were found beyond Problems.
	More int
}

func (e *Error) Error() string {
	s := "mapping is invalid: " + strings.Join(e.Problems, "; ")
	if e.More > 0 {
		s += fmt.Sprintf("; and %d more", e.More)
	}
	return s
}

type problems struct{ err Error }

func (p *problems) add(format string, args ...any) {
	if len(p.err.Problems) < maxProblems {
		p.err.Problems = append(p.err.Problems, fmt.Sprintf(format, args...))
		return
	}
	p.err.More++
}

func (p *problems) result() error {
	if len(p.err.Problems) == 0 {
		return nil
	}
	e := p.err
	return &e
}

// quote prints a SKU so that spaces, empty SKUs and control characters show, cut short so a
// message stays readable.
func quote(sku string) string {
	const most = 64
	if len(sku) > most {
		return fmt.Sprintf("%q…", sku[:most])
	}
	return fmt.Sprintf("%q", sku)
}
