package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ReservationsBucket holds the units accepted events took out of a fulfillment channel's
// stock, so that a full sync can subtract those its feed does not count yet. A reservation
// lives until every reader's feed counts it (DropCountedReservations), and at most as long
// as the ledger's retention: a feed older than that is not a snapshot any sync should write.
const ReservationsBucket = "inventory-ledger-reservations"

func reservationsBucket(retention time.Duration) jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{Bucket: ReservationsBucket, Description: "units taken out of stock per fulfillment channel and SKU, with when", TTL: retention}
}

// Reservation is the stock one accepted event took out of a fulfillment channel's SKU.
type Reservation struct {
	EventID            string `json:"eventID"`
	FulfillmentChannel string `json:"fulfillmentChannel"`
	SKU                string `json:"sku"`
	// Units taken out, positive.
	Units int64 `json:"units"`
	// SalesChannel is the channel an order came from, empty for other events.
	SalesChannel string `json:"salesChannel,omitempty"`
	// OccurredAt is when the stock left: the event's own time, else when the relay took it.
	OccurredAt time.Time `json:"occurredAt"`
}

// Key is the reservation's key: its fulfillment channel's prefix, then the event's, so one
// fulfillment channel's reservations are read with one filtered watch.
func (r *Reservation) Key() string {
	return reservationPrefix(r.FulfillmentChannel) + hashKey(r.EventID, r.SKU)[:40]
}

func reservationPrefix(fulfillmentChannel string) string {
	return "r." + hashKey(fulfillmentChannel)[:40] + "."
}

// RecordReservations keeps each reservation unless the ledger holds it already: an event
// sent again reserves nothing more. The reservations of every caller of the process are
// written together, as the events and claims are.
func (s *Store) RecordReservations(ctx context.Context, rs ...Reservation) error {
	puts := make([]put, len(rs))
	for i, r := range rs {
		if r.Units <= 0 {
			return fmt.Errorf("a reservation takes out a positive number of units, not %d", r.Units)
		}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		puts[i] = put{key: r.Key(), data: data}
	}
	for _, err := range s.reservationWrites.write(ctx, puts) {
		if err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("recording the reservation: %w", err)
		}
	}
	return nil
}

// Reservations calls fn with every reservation of the fulfillment channel that occurred
// after since: those at or before it are counted by a feed whose levels were true at since.
// When reservations after since were dropped (DropCountedReservations), it fails with
// ErrReservationsDropped, and what fn was given is short. The mark is read after the
// reservations, so a drop racing the read is seen.
func (s *Store) Reservations(ctx context.Context, fulfillmentChannel string, since time.Time, fn func(Reservation)) error {
	err := s.scan(ctx, reservationPrefix(fulfillmentChannel), func(_ string, data []byte) error {
		var r Reservation
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("decoding a reservation: %w", err)
		}
		// The key hashes the name: a collision is not this channel's.
		if r.FulfillmentChannel == fulfillmentChannel && r.OccurredAt.After(since) {
			fn(r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	through, _, err := s.droppedThrough(ctx, fulfillmentChannel)
	if err != nil {
		return err
	}
	if since.Before(through) {
		return fmt.Errorf("%w: up to %s, later than %s", ErrReservationsDropped, through.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339))
	}
	return nil
}
