package skumap

import (
	"github.com/techoms/inventory-operator/internal/fulfillment"
)

// Counts say where the channel SKUs a mapping showed came from, and what it left out.
// Kits + Aliases + Unmapped is the number of channel SKUs shown.
type Counts struct {
	// WarehouseSKUs is the number of SKUs in the feed.
	WarehouseSKUs int64
	// Kits and Aliases are channel SKUs of the rows shown, at least one of whose warehouse
	// SKUs the feed lists.
	Kits, Aliases int64
	// Unmapped are warehouse SKUs no row names, shown under their own SKU.
	Unmapped int64
	// SkippedUnmapped are warehouse SKUs no row names, left out under UnmappedSkip.
	SkippedUnmapped int64
}

// LevelOf returns what a channel SKU made of components shows, given each warehouse SKU's
// level, and the index of its limiting component (the first of the smallest). A component
// the feed does not list counts 0: the warehouse reports none of it. A negative level
// counts 0 too: a kit cannot be sold from a shortfall.
func LevelOf(components []Component, level func(warehouseSKU string) (int64, bool)) (shown int64, limiting int) {
	for k, c := range components {
		q, _ := level(c.WarehouseSKU)
		units := max(q, 0) / c.Quantity
		if len(components) == 1 && c.Quantity == 1 {
			// An alias shows its SKU's level as it is, as an unmapped SKU would.
			units = q
		}
		if k == 0 || units < shown {
			shown, limiting = units, k
		}
	}
	return shown, limiting
}

// Show returns the levels the channel shows per channel SKU, in place of the feed's levels
// per warehouse SKU. A channel SKU of the rows is shown when the feed lists at least one of
// its warehouse SKUs; a channel SKU whose warehouse SKUs are all missing is not read, as a
// SKU a feed does not list.
func (m *Mapping) Show(feed *fulfillment.Levels) (*fulfillment.Levels, Counts, error) {
	counts := Counts{WarehouseSKUs: int64(feed.Len())}
	out := fulfillment.NewAssembler(feed.Len())
	for _, sku := range m.channelSKUs() {
		comps := m.channel[sku]
		listed := false
		for _, c := range comps {
			if _, ok := feed.Lookup(c.WarehouseSKU); ok {
				listed = true
				break
			}
		}
		if !listed {
			continue
		}
		shown, _ := LevelOf(comps, feed.Lookup)
		if err := out.Add(sku, shown); err != nil {
			return nil, Counts{}, err
		}
		if IsKit(comps) {
			counts.Kits++
		} else {
			counts.Aliases++
		}
	}
	for sku, q := range feed.All() {
		switch {
		case m.named[sku]:
		case m.unmapped == UnmappedSkip:
			counts.SkippedUnmapped++
		default:
			if err := out.Add(sku, q); err != nil {
				return nil, Counts{}, err
			}
			counts.Unmapped++
		}
	}
	levels, err := out.Levels()
	if err != nil {
		return nil, Counts{}, err
	}
	return levels, counts, nil
}
