package shopify

import (
	"context"
	"errors"
	"strconv"

	"github.com/techoms/inventory-operator/internal/channel"
)

// stockPending stocks the pending changes marked Stock at the location, one inventoryActivate
// call each, and returns the changes left to write. A change whose item Shopify refuses to
// stock is reported Failed. The activation key derives from the write's key and the change's
// position, so a retried Write stocks nothing twice.
func (c *Connector) stockPending(ctx context.Context, key string, changes []channel.Change, pending []int, results []channel.ChangeResult) ([]int, error) {
	next := pending[:0:0]
	for _, i := range pending {
		if !changes[i].Stock {
			next = append(next, i)
			continue
		}
		userErrs, err := c.stock(ctx, key+"/stock-"+strconv.Itoa(i+1), changes[i].ItemID)
		if err != nil {
			return nil, err
		}
		if len(userErrs) > 0 {
			results[i] = channel.ChangeResult{Outcome: channel.Failed, Reason: "stocking the item at the location: " + describeUserErrors(userErrs)}
			continue
		}
		next = append(next, i)
	}
	return next, nil
}

// stock activates one inventory item at the location, with no quantity: the write that
// follows sets it. Since 2026-04 activation keeps a quantity the item's inactive level held;
// when that is not the 0 an unstocked item reads as, the write's compare quantity is stale
// and the caller re-reads the item.
func (c *Connector) stock(ctx context.Context, key, itemID string) ([]userError, error) {
	var data stockItemData
	if err := c.do(ctx, stockItem, stockItemVariables{Item: itemID, Location: c.locationID, Key: key}, &data); err != nil {
		return nil, err
	}
	if data.Payload == nil {
		return nil, errors.New("shopify: inventoryActivate returned no payload")
	}
	return data.Payload.UserErrors, nil
}
