package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// KnownLevelTTL is how long a fulfillment channel's level of a SKU, learned from an event, is
// trusted to compute a kit from: an hour, within which a warehouse that reports levels
// reports the next one, and after which the kit waits for the next full sync rather than
// assume nothing moved.
const KnownLevelTTL = time.Hour

// KnownLevel is the level a fulfillment channel last reported for a SKU, from an event's
// quantityAfter.
type KnownLevel struct {
	Quantity int64 `json:"quantity"`
	// Sequence orders levels when the events carry one: an older one never replaces it.
	Sequence *int64    `json:"sequence,omitempty"`
	EventID  string    `json:"eventID"`
	At       time.Time `json:"at"`
}

// knownLevelKey shares the levels bucket with the sequences, under a prefix of its own.
func knownLevelKey(fulfillmentChannel, sku string) string {
	return "k." + hashKey(fulfillmentChannel, sku)[:40]
}

// RecordKnownLevel records the level an accepted event reported for a fulfillment channel's
// SKU, unless the level held carries a newer sequence.
func (s *Store) RecordKnownLevel(ctx context.Context, fulfillmentChannel, sku string, l KnownLevel) error {
	key := knownLevelKey(fulfillmentChannel, sku)
	data, err := json.Marshal(l)
	if err != nil {
		return err
	}
	for {
		e, err := s.levels.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			_, err = s.levels.Create(ctx, key, data)
		case err != nil:
			return fmt.Errorf("reading the known level: %w", err)
		default:
			var held KnownLevel
			if json.Unmarshal(e.Value(), &held) == nil && held.Sequence != nil && l.Sequence != nil && *held.Sequence > *l.Sequence {
				return nil
			}
			_, err = s.levels.Update(ctx, key, data, e.Revision())
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue
		}
		if err != nil {
			return fmt.Errorf("recording the known level: %w", err)
		}
		return nil
	}
}

// ForgetKnownLevel drops what is known of a SKU's level: an event that changes it without
// reporting the level after leaves it unknown.
func (s *Store) ForgetKnownLevel(ctx context.Context, fulfillmentChannel, sku string) error {
	if err := s.levels.Delete(ctx, knownLevelKey(fulfillmentChannel, sku)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("forgetting the known level: %w", err)
	}
	return nil
}

// KnownLevelOf returns the level last recorded for a fulfillment channel's SKU, if one was
// recorded within KnownLevelTTL of now.
func (s *Store) KnownLevelOf(ctx context.Context, fulfillmentChannel, sku string, now time.Time) (KnownLevel, bool, error) {
	e, err := s.levels.Get(ctx, knownLevelKey(fulfillmentChannel, sku))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return KnownLevel{}, false, nil
	}
	if err != nil {
		return KnownLevel{}, false, fmt.Errorf("reading the known level: %w", err)
	}
	var l KnownLevel
	if err := json.Unmarshal(e.Value(), &l); err != nil {
		return KnownLevel{}, false, fmt.Errorf("decoding the known level: %w", err)
	}
	if now.Sub(l.At) > KnownLevelTTL {
		return KnownLevel{}, false, nil
	}
	return l, true, nil
}
