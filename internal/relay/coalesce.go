package relay

import (
	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// routed is an event bound for a write, with the channel items it changes at its location.
type routed struct {
	work  *work
	items []string
}

// call is one Write: the events it carries and their changes merged per item.
type call struct {
	events  []routed
	changes []channel.Change
	// contributions lists, for each of events, the indexes of its changes.
	contributions [][]int
	changeOf      map[string]int
}

// coalesce merges events into as few calls as it can: increments of one item at one location add up,
// absolute values of one item keep the last. A call takes at most maxBatch changes, and an
// increment whose sum with the item's would leave ±channel.MaxQuantity goes into another
// call, so no merged change is ever out of range. Each event must change at most maxBatch
// distinct items, each by an in-range quantity.
func coalesce(strategy v1alpha1.Strategy, events []routed, maxBatch int) []*call {
	var calls []*call
	for _, ev := range events {
		placed := false
		// Absolute values go to the last call only, so a later value of an item is never
		// written before an earlier one.
		from := 0
		if strategy == v1alpha1.StrategyAbsolute {
			from = max(len(calls)-1, 0)
		}
		for _, c := range calls[from:] {
			if placed = c.add(strategy, ev, maxBatch); placed {
				break
			}
		}
		if !placed {
			c := &call{changeOf: map[string]int{}}
			c.add(strategy, ev, maxBatch)
			calls = append(calls, c)
		}
	}
	return calls
}

// add merges ev into the call unless the call would exceed maxBatch changes or an item's
// increment would leave the range. An empty call always takes it.
func (c *call) add(strategy v1alpha1.Strategy, ev routed, maxBatch int) bool {
	q := ev.work.quantity
	added := 0
	location := ev.work.location
	for _, id := range ev.items {
		i, ok := c.changeOf[location+"\x00"+id]
		if !ok {
			added++
			continue
		}
		if strategy != v1alpha1.StrategyIncremental {
			continue
		}
		if _, ok := channel.AddQuantities(c.changes[i].Quantity, q); !ok {
			return false
		}
	}
	if len(c.events) > 0 && len(c.changes)+added > maxBatch {
		return false
	}
	mine := make([]int, 0, len(ev.items))
	for _, id := range ev.items {
		ch := channel.Change{ItemID: id, SKU: ev.work.sku, LocationID: location}
		i, ok := c.changeOf[changeRef(ch)]
		if !ok {
			i = len(c.changes)
			c.changeOf[changeRef(ch)] = i
			c.changes = append(c.changes, ch)
		}
		if strategy == v1alpha1.StrategyIncremental {
			c.changes[i].Quantity += q
		} else {
			c.changes[i].Quantity = q
		}
		mine = append(mine, i)
	}
	c.events = append(c.events, ev)
	c.contributions = append(c.contributions, mine)
	return true
}
