package shopify

import (
	"context"
	"fmt"
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
		if err := c.itemsBySearch(ctx, skuSearch(chunk), chunk, wanted, fn); err != nil {
			return err
		}
	}
	return nil
}

// maxSearchPages is how many pages a search for n SKUs may take: every SKU at
// channel.MaxItemsPerSKU variants, and as many again of the variants Shopify's inexact search also
// matches.
func (c *Connector) maxSearchPages(n int) int {
	return 2*((n*channel.MaxItemsPerSKU+c.cfg.PageSize-1)/c.cfg.PageSize) + 1
}

// itemsBySearch pages through the variants a search query matches. Shopify's search is not
// an exact match, so results are filtered again here. A search ends with an error when it
// goes beyond maxSearchPages, repeats a cursor, or shows a SKU on more than channel.MaxItemsPerSKU
// variants.
func (c *Connector) itemsBySearch(ctx context.Context, query string, skus []string, wanted skuSet, fn func(channel.Item) error) error {
	vars := variantsPageVariables{First: c.cfg.PageSize, Query: &query, Location: c.locationID, Names: []string{c.quantityName}}
	perSKU := make(map[string]int, len(skus))
	maxPages := c.maxSearchPages(len(skus))
	for pages := 1; ; pages++ {
		var page variantsPageData
		if err := c.do(ctx, variantsPage, vars, &page); err != nil {
			return err
		}
		for _, node := range page.ProductVariants.Nodes {
			item, ok := node.item(c.quantityName)
			if !ok || !wanted.has(item.SKU) {
				continue
			}
			if perSKU[item.SKU]++; perSKU[item.SKU] > channel.MaxItemsPerSKU {
				return fmt.Errorf("shopify: SKU %q is on more than %d variants", item.SKU, channel.MaxItemsPerSKU)
			}
			if err := fn(item); err != nil {
				return err
			}
		}
		info := page.ProductVariants.PageInfo
		if !info.HasNextPage || info.EndCursor == nil {
			return nil
		}
		if vars.After != nil && *vars.After == *info.EndCursor {
			return fmt.Errorf("shopify: the search for %d SKUs repeats its cursor", len(skus))
		}
		if pages >= maxPages {
			return fmt.Errorf("shopify: the search for %d SKUs goes on beyond %d pages", len(skus), maxPages)
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
	item := channel.Item{ID: inv.ID, SKU: *n.SKU, Untracked: inv.Tracked != nil && !*inv.Tracked, NativeBundle: n.RequiresComponents}
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
