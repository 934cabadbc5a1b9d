package ledger_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/ledger/ledgertest"
)

func TestReservationsAfterASnapshotOncePerEvent(t *testing.T) {
	srv := ledgertest.Start(t)
	a, b := srv.Open(t), srv.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	records := []ledger.Reservation{
		{EventID: "ord-1", FulfillmentChannel: "east", SKU: "A", Units: 2, SalesChannel: "b2b", OccurredAt: t0.Add(time.Minute)},
		{EventID: "ord-0", FulfillmentChannel: "east", SKU: "A", Units: 5, OccurredAt: t0.Add(-time.Minute)},
		{EventID: "ord-2", FulfillmentChannel: "east", SKU: "B", Units: 1, OccurredAt: t0.Add(2 * time.Minute)},
		{EventID: "ord-3", FulfillmentChannel: "west", SKU: "A", Units: 7, OccurredAt: t0.Add(time.Minute)},
	}
	for _, r := range records {
		if err := a.RecordReservations(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// The same event again, from another replica, with other units: the first is kept.
	again := records[0]
	again.Units = 9
	if err := b.RecordReservations(ctx, again); err != nil {
		t.Fatal(err)
	}
	if err := a.RecordReservations(ctx, ledger.Reservation{EventID: "x", FulfillmentChannel: "east", SKU: "A", Units: 0}); err == nil {
		t.Fatal("a reservation of no units was recorded")
	}

	got := map[string]int64{}
	if err := b.Reservations(ctx, "east", t0, func(r ledger.Reservation) { got[r.EventID] += r.Units }); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"ord-1": 2, "ord-2": 1}
	if len(got) != len(want) || got["ord-1"] != 2 || got["ord-2"] != 1 {
		t.Fatalf("reservations after the snapshot: %v, want %v", got, want)
	}

	// A fulfillment channel without reservations answers at once, with none.
	none := 0
	if err := b.Reservations(ctx, "north", time.Time{}, func(ledger.Reservation) { none++ }); err != nil || none != 0 {
		t.Fatalf("a channel without reservations: %d (%v), want none", none, err)
	}
	west := 0
	if err := b.Reservations(ctx, "west", time.Time{}, func(ledger.Reservation) { west++ }); err != nil || west != 1 {
		t.Fatalf("another fulfillment channel's reservations: %d (%v), want 1 untouched", west, err)
	}
}

// A request's reservations go together: a batch holding one already recorded (a retry
// beside new events) still records every other one, and keeps the first record of the
// repeated one.
func TestReservationsOfARequestAreRecordedTogether(t *testing.T) {
	srv := ledgertest.Start(t)
	a := srv.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	first := ledger.Reservation{EventID: "ord-5", FulfillmentChannel: "east", SKU: "A", Units: 1, OccurredAt: t0.Add(time.Minute)}
	if err := a.RecordReservations(ctx, first); err != nil {
		t.Fatal(err)
	}
	var batch []ledger.Reservation
	for i := range 40 {
		batch = append(batch, ledger.Reservation{EventID: fmt.Sprintf("ord-%d", i), FulfillmentChannel: "east", SKU: "A", Units: 2, OccurredAt: t0.Add(time.Minute)})
	}
	if err := a.RecordReservations(ctx, batch...); err != nil {
		t.Fatal(err)
	}
	var units int64
	count := 0
	if err := a.Reservations(ctx, "east", t0, func(r ledger.Reservation) { units += r.Units; count++ }); err != nil {
		t.Fatal(err)
	}
	if count != 40 || units != 39*2+1 {
		t.Fatalf("%d reservations of %d units, want 40 of %d", count, units, 39*2+1)
	}
}
