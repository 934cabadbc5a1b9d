package shopifytest

import (
	"fmt"
	"sync"
)

// store is the shop's catalog and inventory, laid out for a million SKUs: variants, their
// products and inventory items share one index (one inventory item per variant, as on
// Shopify), quantities are dense slices per location, and global ids are rendered only when a
// response is written.
type store struct {
	mu sync.RWMutex

	locations []string // names
	// sku and product are indexed by variant; the variant's inventory item has the same index.
	sku     []string
	product []int32
	// products counts products; product i has the variants whose product[] is i.
	products int
	// bySKU maps a SKU to one variant index (>= 0) or, when several variants share it, to
	// -(k+1) where dupSKUs[k] lists them all.
	bySKU   map[string]int32
	dupSKUs [][]int32
	// levels holds, per location, the available quantity of every item stocked there.
	levels []*locationLevels
	// untracked holds the items whose inventory is not tracked (tracked: false); few are.
	untracked map[int]bool
	// nonMutable holds the items the API may not adjust, such as a parent bundle's.
	nonMutable map[int]bool
	// requiresComponents holds the variants that are a bundle's parent (SetBundle).
	requiresComponents map[int]bool
}

// locationLevels is one location's inventory: stocked[i] says whether item i has an
// inventory level there, inactive[i] whether that level is deactivated; available[i] is its
// available quantity.
type locationLevels struct {
	available []int64
	stocked   []uint64 // bitmap
	// inactive marks levels a merchant deactivated. Since 2026-04 a deactivated level keeps
	// its quantities, can be written like an active one, and is only read when a query asks
	// for inactive levels.
	inactive []uint64 // bitmap
}

func newStore() *store {
	return &store{bySKU: map[string]int32{}}
}

func (l *locationLevels) isStocked(item int) bool {
	w := item / 64
	return w < len(l.stocked) && l.stocked[w]&(1<<(item%64)) != 0
}

// isActive reports whether the item has an active inventory level at the location.
func (l *locationLevels) isActive(item int) bool {
	return l.isStocked(item) && !bitSet(l.inactive, item)
}

// visible reports whether a query sees the item's level: an active one always, an inactive
// one only with includeInactive.
func (l *locationLevels) visible(item int, includeInactive bool) bool {
	return l.isStocked(item) && (includeInactive || !bitSet(l.inactive, item))
}

// setActive activates or deactivates the item's level, keeping its quantity.
func (l *locationLevels) setActive(item int, active bool) {
	for len(l.inactive) <= item/64 {
		l.inactive = append(l.inactive, 0)
	}
	if active {
		l.inactive[item/64] &^= 1 << (item % 64)
	} else {
		l.inactive[item/64] |= 1 << (item % 64)
	}
}

func bitSet(bits []uint64, i int) bool {
	w := i / 64
	return w < len(bits) && bits[w]&(1<<(i%64)) != 0
}

func (l *locationLevels) get(item int) int64 {
	if item < len(l.available) {
		return l.available[item]
	}
	return 0
}

// set stocks the item, if it was not, with available quantity q. A deactivated level stays
// deactivated.
func (l *locationLevels) set(item int, q int64) {
	l.record(item, q)
	for len(l.stocked) <= item/64 {
		l.stocked = append(l.stocked, 0)
	}
	l.stocked[item/64] |= 1 << (item % 64)
}

// record keeps q as the item's quantity without stocking it: a write to an item not stocked
// at the location, which Shopify accepts since 2026-10 without making the item sellable there.
func (l *locationLevels) record(item int, q int64) {
	for len(l.available) <= item {
		l.available = append(l.available, 0)
	}
	l.available[item] = q
}

// write sets q as a mutation does: on the item's level when it is stocked, active or not,
// recorded but not stocked otherwise.
func (l *locationLevels) write(item int, q int64) {
	if l.isStocked(item) {
		l.set(item, q)
		return
	}
	l.record(item, q)
}

// addVariantLocked adds a variant with its own product and inventory item; the caller holds mu.
func (s *store) addVariantLocked(sku string) int {
	i := len(s.sku)
	s.sku = append(s.sku, sku)
	s.product = append(s.product, int32(s.products))
	s.products++
	s.indexSKULocked(sku, int32(i))
	return i
}

func (s *store) indexSKULocked(sku string, i int32) {
	if sku == "" {
		return
	}
	prev, ok := s.bySKU[sku]
	switch {
	case !ok:
		s.bySKU[sku] = i
	case prev >= 0:
		s.dupSKUs = append(s.dupSKUs, []int32{prev, i})
		s.bySKU[sku] = -int32(len(s.dupSKUs))
	default:
		k := -prev - 1
		s.dupSKUs[k] = append(s.dupSKUs[k], i)
	}
}

// variantsWithSKU returns the variant indexes with this SKU, in id order; the caller holds mu.
func (s *store) variantsWithSKU(sku string) []int32 {
	v, ok := s.bySKU[sku]
	switch {
	case !ok:
		return nil
	case v >= 0:
		return []int32{v}
	default:
		return s.dupSKUs[-v-1]
	}
}

func (s *store) itemCount() int { return len(s.sku) }

// level returns the location's levels, or nil for an unknown location; the caller holds mu.
func (s *store) level(loc int) *locationLevels {
	if loc < 0 || loc >= len(s.levels) {
		return nil
	}
	return s.levels[loc]
}

func (s *store) validItem(item int) bool { return item >= 0 && item < len(s.sku) }

// mustItem and mustLocation turn a caller's GID into an index for the seed API, where a wrong
// id is a bug in the test.
func (s *store) mustItem(id string) int {
	i, ok := parseGID(id, "InventoryItem", itemBase)
	if !ok || !s.validItem(i) {
		panic(fmt.Sprintf("shopifytest: unknown inventory item %q", id))
	}
	return i
}

func (s *store) mustLocation(id string) int {
	i, ok := parseGID(id, "Location", locationBase)
	if !ok || s.level(i) == nil {
		panic(fmt.Sprintf("shopifytest: unknown location %q", id))
	}
	return i
}
