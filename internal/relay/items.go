package relay

import (
	"context"
	"sync"
	"time"

	"github.com/techoms/inventory-operator/internal/channel"
)

// itemCache maps SKUs to the channel's items at one location for a short time, with the
// quantity each showed when read or last written by this lane, so a burst of events costs
// one lookup per SKU and every increment can carry the quantity it expects to change
// (compare-and-swap). A quantity that moved on the channel since makes the write Stale: the
// SKU is then read again. A SKU the channel does not show is cached too, as no items. A
// lane's callers share it, each with SKUs no other caller is writing.
type itemCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	now     func() time.Time
	entries map[string]cachedItems
}

type cachedItems struct {
	items   []channel.Item
	expires time.Time
}

func newItemCache(ttl time.Duration, now func() time.Time) *itemCache {
	return &itemCache{ttl: ttl, now: now, entries: map[string]cachedItems{}}
}

// lookup returns the items of each SKU, asking the connector, in one Items call, for the
// SKUs not cached or expired.
func (c *itemCache) lookup(ctx context.Context, conn channel.Connector, skus []string) (map[string][]channel.Item, error) {
	now := c.now()
	found := make(map[string][]channel.Item, len(skus))
	var missing []string
	c.mu.Lock()
	for _, sku := range skus {
		if e, ok := c.entries[sku]; ok && now.Before(e.expires) {
			found[sku] = e.items
			continue
		}
		missing = append(missing, sku)
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return found, nil
	}
	fresh := make(map[string][]channel.Item, len(missing))
	for _, sku := range missing {
		fresh[sku] = nil
	}
	err := conn.Items(ctx, missing, func(item channel.Item) error {
		if items, ok := fresh[item.SKU]; ok {
			fresh[item.SKU] = append(items, item)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	expires := now.Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	for sku, items := range fresh {
		c.entries[sku] = cachedItems{items: items, expires: expires}
		found[sku] = items
	}
	if len(c.entries) > maxCachedSKUs {
		c.sweep(now)
	}
	return found, nil
}

// level is what the lane last knew an item of sku to show.
func (c *itemCache) level(sku, itemID string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range c.entries[sku].items {
		if it.ID == itemID {
			return it.Quantity, true
		}
	}
	return 0, false
}

// applied records that an increment the channel applied with compare-and-swap left the item
// at quantity: the write's answer tells the truth about it.
func (c *itemCache) applied(sku, itemID string, quantity int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[sku]
	if !ok {
		return
	}
	for i := range e.items {
		if e.items[i].ID == itemID {
			// Copy on write: a caller may still hold the slice lookup returned.
			items := append([]channel.Item(nil), e.items...)
			items[i].Quantity = quantity
			c.entries[sku] = cachedItems{items: items, expires: e.expires}
			return
		}
	}
}

// maxCachedSKUs bounds a lane's cache between sweeps of expired entries.
const maxCachedSKUs = 100_000

func (c *itemCache) sweep(now time.Time) {
	for sku, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, sku)
		}
	}
	if len(c.entries) > maxCachedSKUs {
		clear(c.entries)
	}
}

// forget drops a SKU, after the channel refused a write to one of its items or showed it
// moved.
func (c *itemCache) forget(sku string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, sku)
}
