package skumap

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// Component is one warehouse SKU of a channel SKU, and how many units of it one unit needs.
type Component struct {
	WarehouseSKU string
	Quantity     int64
}

// Mapping is a validated catalog mapping. It is immutable and safe for concurrent reads.
type Mapping struct {
	// channel maps each channel SKU of the rows to its components, in warehouse SKU order.
	channel map[string][]Component
	// named holds every SKU a row names, as channel or warehouse SKU: those never map to
	// themselves implicitly.
	named    map[string]bool
	unmapped Unmapped
	rows     int

	// containing maps a warehouse SKU to the channel SKUs whose rows name it, built on the
	// first call of Derived.
	containingOnce sync.Once
	containing     map[string][]string
}

// New validates rows and returns their mapping. Every problem names its row: a SKU that is
// empty, a quantity outside 1..MaxQuantity, a repeated (channel SKU, warehouse SKU) pair, a
// cycle, or a chain (a row's warehouse SKU that rows define as a channel SKU). A mapping is
// one level deep: the warehouse SKU of a row is always a SKU of the feed.
func New(rows []Row, unmapped Unmapped) (*Mapping, error) {
	var p problems
	switch unmapped {
	case "":
		unmapped = UnmappedSelf
	case UnmappedSelf, UnmappedSkip:
	default:
		p.add("unmapped must be Self or Skip, got %s", quote(string(unmapped)))
	}
	if len(rows) > MaxRows {
		p.add("%d rows, more than the %d a mapping may have", len(rows), MaxRows)
		return nil, p.result()
	}
	m := &Mapping{channel: map[string][]Component{}, named: map[string]bool{}, unmapped: unmapped, rows: len(rows)}
	first := map[[2]string]Row{}
	for _, r := range rows {
		switch {
		case r.ChannelSKU == "":
			p.add("%s: the channel SKU is empty", r)
			continue
		case r.WarehouseSKU == "":
			p.add("%s: the warehouse SKU is empty", r)
			continue
		case r.Quantity < 1 || r.Quantity > MaxQuantity:
			p.add("%s: quantity %d is outside 1..%d", r, r.Quantity, MaxQuantity)
			continue
		}
		key := [2]string{r.ChannelSKU, r.WarehouseSKU}
		if earlier, ok := first[key]; ok {
			p.add("%s: repeats the pair of %s; give one row with the total quantity", r, earlier.where())
			continue
		}
		first[key] = r
		m.channel[r.ChannelSKU] = append(m.channel[r.ChannelSKU], Component{WarehouseSKU: r.WarehouseSKU, Quantity: r.Quantity})
		m.named[r.ChannelSKU], m.named[r.WarehouseSKU] = true, true
	}
	for _, comps := range m.channel {
		slices.SortFunc(comps, func(a, b Component) int { return strings.Compare(a.WarehouseSKU, b.WarehouseSKU) })
	}
	m.checkChains(rows, first, &p)
	if err := p.result(); err != nil {
		return nil, err
	}
	return m, nil
}

// composite reports whether rows define sku as a channel SKU made of something other than
// itself: a row (C, C, 1) only says C is sold as itself, which any kit may contain.
func (m *Mapping) composite(sku string) bool {
	for _, c := range m.channel[sku] {
		if c.WarehouseSKU != sku {
			return true
		}
	}
	return false
}

// checkChains reports every row whose warehouse SKU is itself a composite channel SKU,
// naming the cycle when following the rows leads back to the row's channel SKU.
func (m *Mapping) checkChains(rows []Row, valid map[[2]string]Row, p *problems) {
	for _, r := range rows {
		if valid[[2]string{r.ChannelSKU, r.WarehouseSKU}] != r || r.ChannelSKU == r.WarehouseSKU || !m.composite(r.WarehouseSKU) {
			continue
		}
		if len(p.err.Problems) >= maxProblems {
			// Only counted from here on: no need to walk the rows for a message not shown.
			p.err.More++
			continue
		}
		if path := m.cycle(r.ChannelSKU, r.WarehouseSKU); path != nil {
			p.add("%s: cycle %s", r, strings.Join(path, " → "))
			continue
		}
		p.add("%s: warehouse SKU %s is a kit or alias of its own rows; a mapping is one level deep, so list the warehouse SKUs it is made of instead",
			r, quote(r.WarehouseSKU))
	}
}

// cycle returns a path of rows from start through next back to start, or nil.
func (m *Mapping) cycle(start, next string) []string {
	path := []string{quote(start)}
	seen := map[string]bool{start: true}
	var walk func(sku string) bool
	walk = func(sku string) bool {
		path = append(path, quote(sku))
		if sku == start {
			return true
		}
		if seen[sku] {
			path = path[:len(path)-1]
			return false
		}
		seen[sku] = true
		for _, c := range m.channel[sku] {
			if c.WarehouseSKU != sku && walk(c.WarehouseSKU) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if walk(next) {
		return path
	}
	return nil
}

// Rows is how many rows the mapping was made of.
func (m *Mapping) Rows() int { return m.rows }

// Unmapped is what happens to warehouse SKUs no row names.
func (m *Mapping) Unmapped() Unmapped { return m.unmapped }

// Components returns the components of a channel SKU of the rows, in warehouse SKU order,
// and whether rows define it.
func (m *Mapping) Components(channelSKU string) ([]Component, bool) {
	c, ok := m.channel[channelSKU]
	return c, ok
}

// IsKit reports whether components make a kit rather than an alias: more than one
// component, or more than one unit of one.
func IsKit(components []Component) bool {
	return len(components) > 1 || (len(components) == 1 && components[0].Quantity != 1)
}

// channelSKUs returns the channel SKUs of the rows in ascending order.
func (m *Mapping) channelSKUs() []string {
	skus := make([]string, 0, len(m.channel))
	for sku := range m.channel {
		skus = append(skus, sku)
	}
	slices.SortFunc(skus, cmp.Compare[string])
	return skus
}

// Kinds counts the channel SKUs the rows define, as kits and as aliases.
func (m *Mapping) Kinds() (kits, aliases int64) {
	for _, comps := range m.channel {
		if IsKit(comps) {
			kits++
		} else {
			aliases++
		}
	}
	return kits, aliases
}
