package shopify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// maxChanges is the most quantities one inventorySetQuantities or inventoryAdjustQuantities
// call takes.
const maxChanges = 250

// Write sets (Absolute) or adjusts (Incremental) the configured quantity of each change's item
// at the location. Every call carries an idempotency key derived from key, so a retried Write
// with the same key and changes is applied once; when Shopify answers that an earlier request
// with a key failed, the call is sent again under the next key derived for it, so the keys
// stay the same for a restarted caller. Every call names its reason in referenceDocumentUri:
// channel.ReferenceFrom(ctx), or the write's key. Changes marked Stock are stocked at the
// location (inventoryActivate) first.
//
// A stale compare quantity Shopify reports without naming the change marks every change of
// the call Stale, so the caller re-reads them all.
//
// Shopify applies a call all or nothing: when it refuses some changes, none is applied. The
// refused ones are reported, Stale when their compare quantity no longer held, Failed
// otherwise, and the rest are sent again in a new call under a key derived from the first.
// When Shopify refuses a call as a whole (an HTTP 4xx, GraphQL errors such as a quantity
// that does not fit its Int, a user error that names no change), Write returns a
// *channel.RefusedError: nothing was applied. More than MaxBatch changes are split into calls
// under derived keys; a later call refused as a whole after an earlier one applied reports
// its changes Failed instead. No error shows the token or a URL's secrets.
func (c *Connector) Write(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change) ([]channel.ChangeResult, error) {
	results, err := c.write(ctx, strategy, key, changes)
	if err != nil {
		return nil, channel.Redact(err, c.token)
	}
	return results, nil
}

func (c *Connector) write(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change) ([]channel.ChangeResult, error) {
	if strategy != v1alpha1.StrategyAbsolute && strategy != v1alpha1.StrategyIncremental {
		return nil, fmt.Errorf("shopify: unknown write strategy %q", strategy)
	}
	if strings.TrimSpace(key) == "" {
		return nil, errors.New("shopify: a write needs an idempotency key")
	}
	results := make([]channel.ChangeResult, len(changes))
	batches := (len(changes) + maxChanges - 1) / maxChanges
	for b := range batches {
		lo, hi := b*maxChanges, min((b+1)*maxChanges, len(changes))
		batchKey := key
		if batches > 1 {
			batchKey = key + "/part-" + strconv.Itoa(b+1)
		}
		err := c.writeBatch(ctx, strategy, batchKey, changes[lo:hi], results[lo:hi])
		if err == nil || (channel.IsRefused(err) && anyApplied(results[:lo])) {
			continue
		}
		return nil, err
	}
	return results, nil
}

// writeBatch writes up to maxChanges changes, resending what was not refused until a call
// applies or every change is refused. When a call is refused as a whole it reports the
// changes still pending Failed and returns a *channel.RefusedError.
func (c *Connector) writeBatch(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change, results []channel.ChangeResult) error {
	pending := make([]int, 0, len(changes))
	for i, ch := range changes {
		if ch.ItemID == "" {
			results[i] = channel.ChangeResult{Outcome: channel.Failed, Reason: "no inventory item id"}
			continue
		}
		pending = append(pending, i)
	}
	pending, err := c.stockPending(ctx, key, changes, pending, results)
	if err != nil {
		return err
	}
	for round := 0; len(pending) > 0; round++ {
		callKey := key
		if round > 0 {
			callKey = key + "/retry-" + strconv.Itoa(round)
		}
		userErrs, err := c.mutateWithRetries(ctx, strategy, callKey, changes, pending)
		if err != nil {
			if !refusedCall(err) {
				return err
			}
			reason := err.Error()
			fail(pending, results, reason)
			return &channel.RefusedError{Reason: reason, Err: err}
		}
		if len(userErrs) == 0 {
			for _, i := range pending {
				results[i] = channel.ChangeResult{Outcome: channel.Applied}
			}
			return nil
		}
		if i := slices.IndexFunc(userErrs, retryLater); i >= 0 {
			// Shopify asked to try again, or to use a new key, and still does after the last
			// attempt: nothing is known to be applied, and with a concurrent request another
			// call with this key may yet apply. The caller retries later (a restarted writer
			// walks the same attempt keys); a refusal would drop the changes for good.
			return fmt.Errorf("shopify: the call with key %q still answered %s after %d attempts", callKey, describeUserError(userErrs[i]), c.cfg.MaxAttempts)
		}
		var general string
		if pending, general = refuse(pending, userErrs, results); general != "" {
			return &channel.RefusedError{Reason: "shopify: " + general}
		}
	}
	return nil
}

func fail(pending []int, results []channel.ChangeResult, reason string) {
	for _, i := range pending {
		results[i] = channel.ChangeResult{Outcome: channel.Failed, Reason: reason}
	}
}

func anyApplied(results []channel.ChangeResult) bool {
	return slices.ContainsFunc(results, func(r channel.ChangeResult) bool { return r.Outcome == channel.Applied })
}

// refuse records the outcome of each change a failed call's user errors name and returns
// the changes to send again. A stale error that names no change makes every change not
// otherwise named Stale: any of them may be the one that moved. Other errors that name no
// change refuse the whole call: every change not named is reported Failed with their text,
// which refuse returns as general.
func refuse(pending []int, userErrs []userError, results []channel.ChangeResult) (next []int, general string) {
	refused := make([]bool, len(pending))
	var generals []string
	var staleCall *userError
	for _, ue := range userErrs {
		pos, ok := changeIndex(ue.Field)
		if !ok || pos >= len(pending) {
			if isStale(ue.Code) {
				staleCall = &ue
				continue
			}
			generals = append(generals, describeUserError(ue))
			continue
		}
		refused[pos] = true
		if isStale(ue.Code) {
			results[pending[pos]] = channel.ChangeResult{Outcome: channel.Stale, Reason: describeUserError(ue)}
		} else {
			results[pending[pos]] = channel.ChangeResult{Outcome: channel.Failed, Reason: describeUserError(ue)}
		}
	}
	next = pending[:0:0]
	for pos, i := range pending {
		if !refused[pos] {
			next = append(next, i)
		}
	}
	if len(generals) > 0 {
		general = strings.Join(generals, "; ")
		fail(next, results, general)
		return nil, general
	}
	if staleCall != nil {
		for _, i := range next {
			results[i] = channel.ChangeResult{Outcome: channel.Stale, Reason: describeUserError(*staleCall)}
		}
		return nil, ""
	}
	return next, ""
}

// mutateWithRetries sends one call. While Shopify answers a transient user error (a request
// with the same key still being processed, or a failure it asks to try again), it waits,
// longer each time, and sends it again under the same key; when Shopify reports that an
// earlier request with the key failed, it sends it under the next attempt key at once.
func (c *Connector) mutateWithRetries(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change, pending []int) ([]userError, error) {
	attemptKey := key
	for attempt := 1; ; attempt++ {
		userErrs, err := c.mutate(ctx, strategy, attemptKey, changes, pending)
		if err != nil || attempt >= c.cfg.MaxAttempts {
			return userErrs, err
		}
		switch {
		case slices.ContainsFunc(userErrs, isPreviousAttemptFailed):
			attemptKey = nextAttemptKey(key, attempt)
		case slices.ContainsFunc(userErrs, isTransient):
			if err := c.cfg.Sleep(ctx, c.backoff(attempt)); err != nil {
				return nil, err
			}
		default:
			return userErrs, nil
		}
	}
}

// nextAttemptKey is the key of the call after attempt n (from 1) of the call with key failed
// on Shopify's side. It depends on nothing else, so a restarted caller walks the same keys and
// Shopify replays any of them that did apply; with compare-and-swap a late duplicate is
// refused as stale.
func nextAttemptKey(key string, n int) string {
	return key + "/attempt-" + strconv.Itoa(n+1)
}

// mutate sends the pending changes in one call and returns its user errors; their field
// paths index into pending.
func (c *Connector) mutate(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change, pending []int) ([]userError, error) {
	var payload *mutationPayload
	reference := channel.ReferenceFrom(ctx)
	if reference == "" {
		reference = channel.Reference(channel.ReferenceWrite, key)
	}
	if strategy == v1alpha1.StrategyAbsolute {
		input := setQuantitiesInput{Name: c.quantityName, Reason: c.cfg.Reason, ReferenceDocumentURI: reference, Quantities: make([]quantityInput, len(pending))}
		for pos, i := range pending {
			ch := changes[i]
			input.Quantities[pos] = quantityInput{InventoryItemID: ch.ItemID, LocationID: c.location(ch), Quantity: ch.Quantity, ChangeFromQuantity: ch.CompareQuantity}
		}
		var data setQuantitiesData
		if err := c.do(ctx, setQuantities, mutationVariables[setQuantitiesInput]{Input: input, Key: key}, &data); err != nil {
			return nil, err
		}
		payload = data.Payload
	} else {
		input := adjustQuantitiesInput{Name: c.quantityName, Reason: c.cfg.Reason, ReferenceDocumentURI: reference, Changes: make([]changeInput, len(pending))}
		// Shopify requires a ledger document for every quantity but available, and refuses one
		// for available.
		var ledger string
		if c.quantityName != availableName {
			ledger = reference
		}
		for pos, i := range pending {
			ch := changes[i]
			input.Changes[pos] = changeInput{InventoryItemID: ch.ItemID, LocationID: c.location(ch), Delta: ch.Quantity, ChangeFromQuantity: ch.CompareQuantity, LedgerDocumentURI: ledger}
		}
		var data adjustQuantitiesData
		if err := c.do(ctx, adjustQuantities, mutationVariables[adjustQuantitiesInput]{Input: input, Key: key}, &data); err != nil {
			return nil, err
		}
		payload = data.Payload
	}
	if payload == nil {
		return nil, errors.New("shopify: inventory mutation returned no payload")
	}
	return payload.UserErrors, nil
}

// location is where a change is written: its own location, or the connector's. One call
// takes changes of any locations of the store.
func (c *Connector) location(ch channel.Change) string {
	if ch.LocationID != "" {
		return ch.LocationID
	}
	return c.locationID
}

// changeIndex finds the list index in a user error's field path, such as
// ["input", "quantities", "3", "changeFromQuantity"].
func changeIndex(field []string) (int, bool) {
	for i := 0; i+1 < len(field); i++ {
		if field[i] == "quantities" || field[i] == "changes" {
			n, err := strconv.Atoi(field[i+1])
			if err != nil || n < 0 {
				return 0, false
			}
			return n, true
		}
	}
	return 0, false
}
