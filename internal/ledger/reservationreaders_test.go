package ledger_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/ledger/ledgertest"
)

// reservedIDs lists the event ids of the channel's reservations after since.
func reservedIDs(t *testing.T, s *ledger.Store, channel string, since time.Time) ([]string, error) {
	t.Helper()
	var ids []string
	err := s.Reservations(context.Background(), channel, since, func(r ledger.Reservation) { ids = append(ids, r.EventID) })
	sort.Strings(ids)
	return ids, err
}

// A fulfillment channel's reservations are dropped up to the oldest of its readers' newest
// snapshots, never past a reader that has not read a newer one; a read from before what
// was dropped is refused, not answered short; other channels keep theirs.
func TestReservationsEveryReaderCountsAreDropped(t *testing.T) {
	srv := ledgertest.Start(t)
	a, b := srv.Open(t), srv.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	for i, r := range []ledger.Reservation{
		{EventID: "ord-1", FulfillmentChannel: "east", SKU: "A", Units: 1, OccurredAt: at(1)},
		{EventID: "ord-2", FulfillmentChannel: "east", SKU: "A", Units: 1, OccurredAt: at(2)},
		{EventID: "ord-3", FulfillmentChannel: "east", SKU: "B", Units: 1, OccurredAt: at(3)},
		{EventID: "ord-4", FulfillmentChannel: "west", SKU: "A", Units: 1, OccurredAt: at(1)},
	} {
		if err := a.RecordReservations(ctx, r); err != nil {
			t.Fatal(i, err)
		}
	}
	drop := func(s *ledger.Store, channel string, want int) {
		t.Helper()
		n, err := s.DropCountedReservations(ctx, channel)
		if err != nil || n != want {
			t.Fatalf("dropped %d of %s (%v), want %d", n, channel, err, want)
		}
	}

	// Without a reader nothing is dropped.
	drop(a, "east", 0)

	// Two readers: the older one's snapshot bounds the drop.
	if err := a.NoteReader(ctx, "east", "shop/berlin", at(2)); err != nil {
		t.Fatal(err)
	}
	if err := b.NoteReader(ctx, "east", "b2b/berlin", at(1)); err != nil {
		t.Fatal(err)
	}
	// An older snapshot noted again does not lower a reader's newest.
	if err := a.NoteReader(ctx, "east", "shop/berlin", at(0)); err != nil {
		t.Fatal(err)
	}
	drop(b, "east", 1)
	if ids, err := reservedIDs(t, a, "east", at(1)); err != nil || len(ids) != 2 || ids[0] != "ord-2" || ids[1] != "ord-3" {
		t.Fatalf("east after at(1): %v (%v), want ord-2 and ord-3", ids, err)
	}
	if _, err := reservedIDs(t, a, "east", at(0)); !errors.Is(err, ledger.ErrReservationsDropped) {
		t.Fatalf("a read from before the drop: %v, want ErrReservationsDropped", err)
	}

	// The older reader reads a newer snapshot: the bound moves to the other's.
	if err := b.NoteReader(ctx, "east", "b2b/berlin", at(3)); err != nil {
		t.Fatal(err)
	}
	drop(a, "east", 1)
	if ids, err := reservedIDs(t, b, "east", at(2)); err != nil || len(ids) != 1 || ids[0] != "ord-3" {
		t.Fatalf("east after at(2): %v (%v), want ord-3", ids, err)
	}
	if _, err := reservedIDs(t, b, "east", at(1)); !errors.Is(err, ledger.ErrReservationsDropped) {
		t.Fatalf("a read from before the second drop: %v, want ErrReservationsDropped", err)
	}
	if ids, err := reservedIDs(t, b, "west", time.Time{}); err != nil || len(ids) != 1 {
		t.Fatalf("west: %v (%v), want its one reservation untouched", ids, err)
	}
}
