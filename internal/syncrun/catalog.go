package syncrun

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/fulfillment"
)

// catalog holds the channel items of the feed's SKUs without a struct per item: item i's id
// lives in one arena (a shared prefix such as "gid://shopify/InventoryItem/" is stored once),
// its SKU is the index of that SKU in the levels' sorted order, and its quantity is what the
// channel showed.
type catalog struct {
	levels *fulfillment.Levels

	arena    strings.Builder
	idEnds   []uint32
	prefix   []uint16
	prefixes []string
	prefixOf map[string]uint16
	level    []uint32
	quantity []int64

	// ids is arena's content once sealed.
	ids string
	// order lists item indexes by (level, id) once sealed, which groups items by SKU in
	// ascending SKU order.
	order []uint32
	// ignored counts items whose SKU is not in the feed.
	ignored int
	// untracked and notStocked hold the items the channel does not track, or has not stocked
	// at the location; both are rare, so sets beat a flag per item.
	untracked, notStocked map[uint32]bool
	// bundles holds the items whose stock the channel computes from components itself.
	bundles map[uint32]bool
}

// newCatalog returns an empty catalog sized for about one item per SKU, the usual case, so
// that a large catalog grows without doubling its slices on the way.
func newCatalog(levels *fulfillment.Levels) *catalog {
	n := levels.Len()
	c := &catalog{
		levels: levels,
		// Prefix 0 is the empty one, for ids without a slash.
		prefixes: []string{""},
		prefixOf: map[string]uint16{"": 0},
		idEnds:   make([]uint32, 0, n),
		prefix:   make([]uint16, 0, n),
		level:    make([]uint32, 0, n),
		quantity: make([]int64, 0, n),
	}
	// Numeric id suffixes, as Shopify's, take about a dozen bytes.
	c.arena.Grow(n * 12)
	return c
}

// add records one item the channel showed. Items of SKUs the feed does not list are left
// out: a run never touches them.
func (c *catalog) add(item channel.Item) error {
	k, ok := levelIndex(c.levels, item.SKU)
	if !ok {
		c.ignored++
		return nil
	}
	cut := strings.LastIndexByte(item.ID, '/') + 1
	p, ok := c.prefixOf[item.ID[:cut]]
	if !ok {
		if len(c.prefixes) == math.MaxUint16 {
			// Too many distinct prefixes to share: keep the whole id in the arena.
			cut, p = 0, 0
		} else {
			p = uint16(len(c.prefixes))
			c.prefixes = append(c.prefixes, strings.Clone(item.ID[:cut]))
			c.prefixOf[c.prefixes[p]] = p
		}
	}
	if c.arena.Len()+len(item.ID) > math.MaxUint32 {
		return fmt.Errorf("channel item ids exceed 4 GiB")
	}
	c.arena.WriteString(item.ID[cut:])
	c.idEnds = append(c.idEnds, uint32(c.arena.Len()))
	c.prefix = append(c.prefix, p)
	i := uint32(len(c.level))
	c.level = append(c.level, uint32(k))
	c.quantity = append(c.quantity, item.Quantity)
	if item.Untracked {
		c.untracked = setOf(c.untracked, i)
	}
	if item.NotStocked {
		c.notStocked = setOf(c.notStocked, i)
	}
	if item.NativeBundle {
		c.bundles = setOf(c.bundles, i)
	}
	return nil
}

func setOf(set map[uint32]bool, i uint32) map[uint32]bool {
	if set == nil {
		set = map[uint32]bool{}
	}
	set[i] = true
	return set
}

// seal ends adding: it orders the items by SKU and id and drops repeats of an item (a
// channel listing the same item twice is not a duplicate SKU).
func (c *catalog) seal() {
	c.ids = c.arena.String()
	c.order = make([]uint32, len(c.idEnds))
	for i := range c.order {
		c.order[i] = uint32(i)
	}
	slices.SortFunc(c.order, func(a, b uint32) int {
		if d := cmp.Compare(c.level[a], c.level[b]); d != 0 {
			return d
		}
		return c.compareItems(a, b)
	})
	c.order = slices.CompactFunc(c.order, func(a, b uint32) bool {
		return c.level[a] == c.level[b] && c.compareItems(a, b) == 0
	})
	c.prefixOf = nil
}

func (c *catalog) len() int { return len(c.idEnds) }

// id returns item i's id. It allocates when the id has a shared prefix; comparisons use
// idParts instead.
func (c *catalog) id(i uint32) string {
	prefix, rest := c.idParts(i)
	if prefix == "" {
		return rest
	}
	return prefix + rest
}

// idParts returns item i's id as its shared prefix and the rest.
func (c *catalog) idParts(i uint32) (prefix, rest string) {
	var start uint32
	if i > 0 {
		start = c.idEnds[i-1]
	}
	arena := c.ids
	if arena == "" {
		arena = c.arena.String()
	}
	return c.prefixes[c.prefix[i]], arena[start:c.idEnds[i]]
}

// compareID compares item i's id with id, without building item i's id.
func (c *catalog) compareID(i uint32, id string) int {
	prefix, rest := c.idParts(i)
	n := min(len(prefix), len(id))
	if d := strings.Compare(prefix, id[:n]); d != 0 || n < len(prefix) {
		if d == 0 {
			return 1 // id is a proper prefix of item i's prefix
		}
		return d
	}
	return strings.Compare(rest, id[n:])
}

// compareItems orders items by id.
func (c *catalog) compareItems(a, b uint32) int {
	if c.prefix[a] == c.prefix[b] {
		_, ra := c.idParts(a)
		_, rb := c.idParts(b)
		return strings.Compare(ra, rb)
	}
	return c.compareID(a, c.id(b))
}

// sku returns item i's SKU and the feed's quantity for it.
func (c *catalog) sku(i uint32) fulfillment.Level { return c.levels.At(int(c.level[i])) }

// find returns the index of the item with this SKU position and id, once sealed.
func (c *catalog) find(level uint32, id string) (uint32, bool) {
	k, found := slices.BinarySearchFunc(c.order, id, func(i uint32, target string) int {
		if d := cmp.Compare(c.level[i], level); d != 0 {
			return d
		}
		return c.compareID(i, target)
	})
	if !found {
		return 0, false
	}
	return c.order[k], true
}

// levelIndex returns the position of sku in the levels' ascending SKU order.
func levelIndex(levels *fulfillment.Levels, sku string) (int, bool) {
	n := levels.Len()
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if levels.At(mid).SKU < sku {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < n && levels.At(lo).SKU == sku
}
