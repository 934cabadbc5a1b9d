package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A reservation is needed only by a reader whose feed's snapshot is older than it. The
// reservations bucket also keeps, per fulfillment channel, the newest snapshot each reader
// read reservations with, and a mark below which the channel's reservations were dropped:
// every registered reader's snapshot counts them. Both expire with the bucket's retention,
// so a reader silent for longer no longer holds reservations back.

// ErrReservationsDropped: reservations after the snapshot asked for were dropped, because
// every registered reader had read a newer snapshot. The error says up to when.
var ErrReservationsDropped = errors.New("reservations after the snapshot were dropped")

// ReservationReader is a reader's newest snapshot of a fulfillment channel.
type ReservationReader struct {
	FulfillmentChannel string `json:"fulfillmentChannel"`
	// Reader names the reader, e.g. the InventorySync, as the caller scopes it.
	Reader   string    `json:"reader"`
	Snapshot time.Time `json:"snapshot"`
}

// droppedMark is the time up to which a fulfillment channel's reservations were dropped.
type droppedMark struct {
	FulfillmentChannel string    `json:"fulfillmentChannel"`
	Through            time.Time `json:"through"`
}

func readerPrefix(fulfillmentChannel string) string {
	return "s." + hashKey(fulfillmentChannel)[:40] + "."
}

func readerKey(fulfillmentChannel, reader string) string {
	return readerPrefix(fulfillmentChannel) + hashKey(reader)[:40]
}

func droppedKey(fulfillmentChannel string) string {
	return "w." + hashKey(fulfillmentChannel)[:40]
}

// NoteReader keeps snapshot as the reader's newest of the fulfillment channel, unless it
// holds a newer one; either way the reader counts for another retention period. A reader
// noted before it reads is never dropped past: the channel's reservations are dropped only
// up to the oldest newest snapshot of its readers.
func (s *Store) NoteReader(ctx context.Context, fulfillmentChannel, reader string, snapshot time.Time) error {
	key := readerKey(fulfillmentChannel, reader)
	r := ReservationReader{FulfillmentChannel: fulfillmentChannel, Reader: reader, Snapshot: snapshot.UTC()}
	for {
		e, err := s.reservations.Get(ctx, key)
		var rev uint64
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return fmt.Errorf("reading the reservations' reader: %w", err)
		default:
			rev = e.Revision()
			var held ReservationReader
			if json.Unmarshal(e.Value(), &held) == nil && held.Snapshot.After(r.Snapshot) {
				r.Snapshot = held.Snapshot
			}
		}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		err = s.putReservationsRecord(ctx, key, data, rev)
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue
		}
		if err != nil {
			return fmt.Errorf("noting the reservations' reader: %w", err)
		}
		return nil
	}
}

// DropCountedReservations drops the fulfillment channel's reservations that every noted
// reader's newest snapshot counts: those that occurred at or before the oldest of them. It
// first raises the channel's dropped mark, so a read racing the drop is refused rather than
// answered short. It returns how many it dropped; none without a reader.
func (s *Store) DropCountedReservations(ctx context.Context, fulfillmentChannel string) (int, error) {
	var oldest time.Time
	readers := 0
	err := s.scan(ctx, readerPrefix(fulfillmentChannel), func(_ string, data []byte) error {
		var r ReservationReader
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("decoding a reservations' reader: %w", err)
		}
		// The key hashes the name: a collision is not this channel's.
		if r.FulfillmentChannel != fulfillmentChannel {
			return nil
		}
		if readers == 0 || r.Snapshot.Before(oldest) {
			oldest = r.Snapshot
		}
		readers++
		return nil
	})
	if err != nil || readers == 0 {
		return 0, err
	}
	// Without a newer mark there is nothing new to drop: reservations at or before the mark
	// left over (recorded late, or by a drop cut short) are never counted by a read, and
	// expire with the retention.
	if raised, err := s.raiseDroppedMark(ctx, fulfillmentChannel, oldest); err != nil || !raised {
		return 0, err
	}
	var counted []string
	err = s.scan(ctx, reservationPrefix(fulfillmentChannel), func(key string, data []byte) error {
		var r Reservation
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("decoding a reservation: %w", err)
		}
		if r.FulfillmentChannel == fulfillmentChannel && !r.OccurredAt.After(oldest) {
			counted = append(counted, key)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for i, key := range counted {
		if err := s.reservations.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return i, fmt.Errorf("dropping a counted reservation: %w", err)
		}
	}
	return len(counted), nil
}

// raiseDroppedMark sets the channel's dropped mark to through unless it is as late already,
// and says whether it did.
func (s *Store) raiseDroppedMark(ctx context.Context, fulfillmentChannel string, through time.Time) (bool, error) {
	key := droppedKey(fulfillmentChannel)
	data, err := json.Marshal(droppedMark{FulfillmentChannel: fulfillmentChannel, Through: through.UTC()})
	if err != nil {
		return false, err
	}
	for {
		held, rev, err := s.droppedThrough(ctx, fulfillmentChannel)
		if err != nil {
			return false, err
		}
		if rev != 0 && !through.After(held) {
			return false, nil
		}
		err = s.putReservationsRecord(ctx, key, data, rev)
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("marking the dropped reservations: %w", err)
		}
		return true, nil
	}
}

// putReservationsRecord writes a record of the reservations bucket at the revision it was
// read at, creating it at 0; jetstream.ErrKeyExists when another writer moved it first.
func (s *Store) putReservationsRecord(ctx context.Context, key string, data []byte, rev uint64) error {
	var err error
	if rev == 0 {
		_, err = s.reservations.Create(ctx, key, data)
	} else {
		_, err = s.reservations.Update(ctx, key, data, rev)
	}
	return err
}

// droppedThrough is the channel's dropped mark and its revision, 0 without one.
func (s *Store) droppedThrough(ctx context.Context, fulfillmentChannel string) (time.Time, uint64, error) {
	e, err := s.reservations.Get(ctx, droppedKey(fulfillmentChannel))
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return time.Time{}, 0, nil
	case err != nil:
		return time.Time{}, 0, fmt.Errorf("reading the dropped reservations' mark: %w", err)
	}
	var m droppedMark
	if err := json.Unmarshal(e.Value(), &m); err != nil {
		return time.Time{}, 0, fmt.Errorf("decoding the dropped reservations' mark: %w", err)
	}
	if m.FulfillmentChannel != fulfillmentChannel {
		// The key hashes the name: a collision is not this channel's, and is replaced.
		return time.Time{}, e.Revision(), nil
	}
	return m.Through, e.Revision(), nil
}

// scan calls fn with every key and value of the reservations bucket under prefix.
func (s *Store) scan(ctx context.Context, prefix string, fn func(key string, data []byte) error) error {
	w, err := s.reservations.Watch(ctx, prefix+"*", jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("reading the reservations: %w", err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("the ledger's reservation watch ended")
			}
			if e == nil {
				return nil
			}
			if err := fn(e.Key(), e.Value()); err != nil {
				return err
			}
		}
	}
}
