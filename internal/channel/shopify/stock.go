package shopify

import (
	"context"
	"errors"
	"fmt"
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
		userErrs, err := c.stockWithRetries(ctx, key+"/stock-"+strconv.Itoa(i+1), changes[i].ItemID, c.location(changes[i]))
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

// stockWithRetries activates one item like mutateWithRetries sends a write: inventoryActivate's
// UserError has no code, so its idempotency errors are told apart by their text
// (activateErrorKind). While Shopify answers that a request with the key is still in progress
// it waits and sends it again; when it answers that an earlier request with the key failed it
// moves to the next attempt key. It returns the user errors that refuse the item: those that
// name an argument (the item or the location). Any other answer, or retries that run out,
// leave the outcome unknown, so they are returned as an error, never as a refusal.
func (c *Connector) stockWithRetries(ctx context.Context, key, itemID, location string) ([]userError, error) {
	attemptKey := key
	for attempt := 1; ; attempt++ {
		userErrs, err := c.stock(ctx, attemptKey, itemID, location)
		if err != nil || len(userErrs) == 0 {
			return nil, err
		}
		kind := activateErrorKind(userErrs)
		if kind == activateRefused {
			return userErrs, nil
		}
		if kind == activateUnknown || attempt >= c.cfg.MaxAttempts {
			return nil, fmt.Errorf("shopify: stocking %s with key %q: %s", itemID, attemptKey, describeUserErrors(userErrs))
		}
		if kind == activatePreviousAttemptFailed {
			attemptKey = nextAttemptKey(key, attempt)
			continue
		}
		if err := c.cfg.Sleep(ctx, c.backoff(attempt)); err != nil {
			return nil, err
		}
	}
}

// stock activates one inventory item at location, with no quantity: the write that
// follows sets it. Since 2026-04 activation keeps a quantity the item's inactive level held;
// when that is not the 0 an unstocked item reads as, the write's compare quantity is stale
// and the caller re-reads the item.
func (c *Connector) stock(ctx context.Context, key, itemID, location string) ([]userError, error) {
	var data stockItemData
	if err := c.do(ctx, stockItem, stockItemVariables{Item: itemID, Location: location, Key: key}, &data); err != nil {
		return nil, err
	}
	if data.Payload == nil {
		return nil, errors.New("shopify: inventoryActivate returned no payload")
	}
	return data.Payload.UserErrors, nil
}
