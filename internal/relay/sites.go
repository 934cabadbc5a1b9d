package relay

import (
	"errors"
	"fmt"
	"slices"

	"github.com/techoms/inventory-operator/internal/channel"
)

// site is one location a lane writes: the connector that reads the items there, and what
// the lane knows of them. A webhook lane has one; a Shopify store's lane one per location its
// events reach, built when the first event for it comes.
type site struct {
	conn  channel.Connector
	items *itemCache
}

// site returns the location's connector and item cache, building them on first use.
func (l *lane) site(location string) (*site, error) {
	l.siteMu.Lock()
	defer l.siteMu.Unlock()
	return l.siteLocked(location)
}

func (l *lane) siteLocked(location string) (*site, error) {
	if s := l.sites[location]; s != nil {
		return s, nil
	}
	if l.channel == nil {
		return nil, errors.New("the channel's connection is not known")
	}
	conn, err := l.svc.cfg.Connect(l.channel, location, l.credential)
	if err != nil {
		return nil, fmt.Errorf("connecting to the channel: %w", err)
	}
	s := &site{conn: metered(conn, l.channel.Spec.Platform), items: newItemCache(l.svc.cfg.ItemCacheTTL, l.svc.cfg.Now)}
	l.sites[location] = s
	if l.conn == nil {
		l.conn = s.conn
	}
	return s, nil
}

// itemsAt is what the lane knows of the items at location; empty when it has no site there.
func (l *lane) itemsAt(location string) *itemCache {
	l.siteMu.Lock()
	defer l.siteMu.Unlock()
	if s := l.sites[location]; s != nil {
		return s.items
	}
	return newItemCache(0, l.svc.cfg.Now)
}

// writer is the connector that sends a call of changes: a Shopify call names each change's
// location, so any of the store's connectors sends it; a webhook lane has one location. A
// connector that cannot be built is a refusal: nothing was sent.
func (l *lane) writer(changes []channel.Change) (channel.Connector, error) {
	location := l.key.Location
	if len(changes) > 0 && changes[0].LocationID != "" {
		location = changes[0].LocationID
	}
	l.siteMu.Lock()
	defer l.siteMu.Unlock()
	if l.conn != nil {
		return l.conn, nil
	}
	s, err := l.siteLocked(location)
	if err != nil {
		return nil, &channel.RefusedError{Reason: err.Error(), Err: err}
	}
	return s.conn, nil
}

// byLocation groups works by location, keeping each location's works in queue order, the
// locations in the order of their first work.
func byLocation(works []*work) (locations []string, grouped map[string][]*work) {
	grouped = map[string][]*work{}
	for _, w := range works {
		if _, ok := grouped[w.location]; !ok {
			locations = append(locations, w.location)
		}
		grouped[w.location] = append(grouped[w.location], w)
	}
	return locations, grouped
}

// skusOf lists the distinct SKUs of works, sorted.
func skusOf(works []*work) []string {
	skus := make([]string, 0, len(works))
	for _, w := range works {
		skus = append(skus, w.sku)
	}
	slices.Sort(skus)
	return slices.Compact(skus)
}

// changeRef names a change's item at its location, for merging and for write keys.
func changeRef(ch channel.Change) string { return ch.LocationID + "\x00" + ch.ItemID }
