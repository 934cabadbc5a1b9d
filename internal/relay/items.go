package relay

import (
	"context"
	"time"

	"github.com/techoms/inventory-operator/internal/channel"
)

// itemCache maps SKUs to the channel's item ids at one location for a short time, so a burst
// of events costs one lookup per SKU. A SKU the channel does not show is cached too, as no
// items. Only its lane's worker uses it.
type itemCache struct {
	ttl     time.Duration
	now     func() time.Time
	entries map[string]cachedItems
}

type cachedItems struct {
	ids     []string
	expires time.Time
}

func newItemCache(ttl time.Duration, now func() time.Time) *itemCache {
	return &itemCache{ttl: ttl, now: now, entries: map[string]cachedItems{}}
}

// lookup returns the item ids of each SKU, asking the connector, in one Items call, for the
// SKUs not cached or expired.
func (c *itemCache) lookup(ctx context.Context, conn channel.Connector, skus []string) (map[string][]string, error) {
	now := c.now()
	found := make(map[string][]string, len(skus))
	var missing []string
	for _, sku := range skus {
		if e, ok := c.entries[sku]; ok && now.Before(e.expires) {
			found[sku] = e.ids
			continue
		}
		missing = append(missing, sku)
	}
	if len(missing) == 0 {
		return found, nil
	}
	fresh := make(map[string][]string, len(missing))
	for _, sku := range missing {
		fresh[sku] = nil
	}
	err := conn.Items(ctx, missing, func(item channel.Item) error {
		if ids, ok := fresh[item.SKU]; ok {
			fresh[item.SKU] = append(ids, item.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	expires := now.Add(c.ttl)
	for sku, ids := range fresh {
		c.entries[sku] = cachedItems{ids: ids, expires: expires}
		found[sku] = ids
	}
	if len(c.entries) > maxCachedSKUs {
		c.sweep(now)
	}
	return found, nil
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

// forget drops a SKU, after the channel refused a write to one of its items.
func (c *itemCache) forget(sku string) { delete(c.entries, sku) }
