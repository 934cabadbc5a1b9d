package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// RecordLevel records sequence as the newest level of a fulfillment channel's SKU, unless
// a newer one is recorded: then the level is superseded. The same event recorded again is
// not superseded by itself.
func (s *Store) RecordLevel(ctx context.Context, fulfillmentChannel, sku string, sequence int64, eventID string) (superseded bool, err error) {
	key := levelKey(fulfillmentChannel, sku)
	data, _ := json.Marshal(level{Sequence: sequence, EventID: eventID})
	for {
		e, err := s.levels.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			_, err = s.levels.Create(ctx, key, data)
		case err != nil:
			return false, fmt.Errorf("reading the newest level: %w", err)
		default:
			var held level
			if err := json.Unmarshal(e.Value(), &held); err != nil {
				return false, fmt.Errorf("decoding the newest level: %w", err)
			}
			if held.Sequence > sequence || (held.Sequence == sequence && held.EventID != eventID) {
				return true, nil
			}
			if held.Sequence == sequence {
				return false, nil
			}
			_, err = s.levels.Update(ctx, key, data, e.Revision())
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("recording the newest level: %w", err)
		}
		return false, nil
	}
}

// Superseded says whether a level newer than sequence is recorded for the pair: checked
// again just before a write, since two replicas may accept two levels in one order and
// claim them in the other.
func (s *Store) Superseded(ctx context.Context, fulfillmentChannel, sku string, sequence int64, eventID string) (bool, error) {
	e, err := s.levels.Get(ctx, levelKey(fulfillmentChannel, sku))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the newest level: %w", err)
	}
	var held level
	if err := json.Unmarshal(e.Value(), &held); err != nil {
		return false, fmt.Errorf("decoding the newest level: %w", err)
	}
	return held.Sequence > sequence || (held.Sequence == sequence && held.EventID != eventID), nil
}
