package shopify

import (
	"context"
	"slices"

	"github.com/techoms/inventory-operator/internal/channel"
)

// skusPerSearch is how many SKUs one productVariants search query names. Results are paged,
// so duplicates beyond a page are still read.
const skusPerSearch = 100

// Items calls fn for each variant whose SKU is in skus (every variant with a SKU when skus is
// nil) with its inventory item and the available quantity at the location, 0 when the item is
// not stocked there. Up to BulkThreshold SKUs are read with paged searches; more, or all, with
// a bulk operation whose result is streamed. No error shows the token or a signed URL.
func (c *Connector) Items(ctx context.Context, skus []string, fn func(channel.Item) error) error {
	return channel.Redact(c.items(ctx, skus, fn), c.token)
}

func (c *Connector) items(ctx context.Context, skus []string, fn func(channel.Item) error) error {
	wanted := newSKUSet(skus)
	if skus != nil && wanted.len() == 0 {
		return nil
	}
	if skus == nil || wanted.len() > c.cfg.BulkThreshold {
		return c.itemsByBulk(ctx, wanted, fn)
	}
	for chunk := range slices.Chunk(wanted.sorted, skusPerSearch) {
		if err := c.itemsBySearch(ctx, skuSearch(chunk), wanted, fn); err != nil {
			return err
		}
	}
	return nil
}

// itemsBySearch pages through the variants a search query matches. Shopify's search is not
// an exact match, so results are filtered again here.
func (c *Connector) itemsBySearch(ctx context.Context, query string, wanted skuSet, fn func(channel.Item) error) error {
	vars := variantsPageVariables{First: c.cfg.PageSize, Query: &query, Location: c.locationID, Names: []string{c.quantityName}}
	for {
		var page variantsPageData
		if err := c.do(ctx, variantsPage, vars, &page); err != nil {
			return err
		}
		for _, node := range page.ProductVariants.Nodes {
			if item, ok := node.item(c.quantityName); ok && wanted.has(item.SKU) {
				if err := fn(item); err != nil {
					return err
				}
			}
		}
		info := page.ProductVariants.PageInfo
		if !info.HasNextPage || info.EndCursor == nil {
			return nil
		}
		vars.After = info.EndCursor
	}
}

// item is the channel item a variant shows, with its quantity of the given name, if it has a
// SKU and an inventory item. An item without an inventory level at the location, active or
// not, is not stocked there; one with tracked false is untracked. A deactivated level is read
// like an active one: it holds its quantity and takes writes.
func (n variantNode) item(quantityName string) (channel.Item, bool) {
	if n.SKU == nil || *n.SKU == "" || n.InventoryItem == nil || n.InventoryItem.ID == "" {
		return channel.Item{}, false
	}
	inv := n.InventoryItem
	item := channel.Item{ID: inv.ID, SKU: *n.SKU, Untracked: inv.Tracked != nil && !*inv.Tracked}
	if inv.InventoryLevel == nil {
		item.NotStocked = true
		return item, true
	}
	for _, q := range inv.InventoryLevel.Quantities {
		if q.Name == quantityName {
			item.Quantity = q.Quantity
		}
	}
	return item, true
}

// skuSet is the SKUs asked for, sorted and deduplicated; a nil set holds every SKU. A sorted
// slice costs a fraction of a map's memory for a million SKUs.
type skuSet struct {
	all    bool
	sorted []string
}

func newSKUSet(skus []string) skuSet {
	if skus == nil {
		return skuSet{all: true}
	}
	sorted := slices.DeleteFunc(slices.Clone(skus), func(s string) bool { return s == "" })
	slices.Sort(sorted)
	return skuSet{sorted: slices.Compact(sorted)}
}

func (s skuSet) len() int { return len(s.sorted) }

func (s skuSet) has(sku string) bool {
	if s.all {
		return true
	}
	_, found := slices.BinarySearch(s.sorted, sku)
	return found
}
