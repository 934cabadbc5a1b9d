package syncrun_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/reservation"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

// reservations answers each read with the next of its answers, the last one repeating,
// and keeps the snapshots it was asked about.
type reservations struct {
	mu        sync.Mutex
	answers   []reservation.Tally
	err       error
	snapshots []time.Time
}

func (r *reservations) Reserved(_ context.Context, snapshot time.Time) (reservation.Tally, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snapshots = append(r.snapshots, snapshot)
	if r.err != nil {
		return reservation.Tally{}, r.err
	}
	a := r.answers[0]
	if len(r.answers) > 1 {
		r.answers = r.answers[1:]
	}
	return a, nil
}

func TestRunSubtractsReservationsAfterTheFeedsSnapshot(t *testing.T) {
	s := newShop(t, 0)
	a, b := s.stock("A", 10), s.stock("B", 3)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	feed := levels(t, "A=10", "B=4")
	feed.Levels = feed.Levels.WithSnapshot(t0)
	src := &reservations{answers: []reservation.Tally{{Counted: reservation.Reserved{"A": 2, "NOT-IN-FEED": 7}}}}
	opts := options(feed, s.conn)
	opts.Reservations = src

	report := syncrun.Run(t.Context(), opts)

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 2, Updated: 2}, syncrun.Succeeded)
	s.checkAvailable(t, map[string]int64{a: 8, b: 4})
	if len(src.snapshots) != 1 || !src.snapshots[0].Equal(t0) {
		t.Fatalf("reservations read after %v, want once after the feed's snapshot %v", src.snapshots, t0)
	}
	if r := report.Result.Reserved; r == nil || r.SKUs != 1 || r.Units != 2 || !r.Since.Time.Equal(t0) {
		t.Fatalf("reserved counts %+v, want 2 units of 1 SKU of the feed since %v", r, t0)
	}
}

func TestPlanSaysHowMuchOfAChangeIsReservations(t *testing.T) {
	s := newShop(t, 0)
	a, b := s.stock("A", 10), s.stock("B", 3)
	opts := options(levels(t, "A=10", "B=4", "C=1"), s.conn)
	opts.PlanOnly = true
	// More reserved of C than the feed lists: one unit is subtracted, not five.
	opts.Reservations = &reservations{answers: []reservation.Tally{{Counted: reservation.Reserved{"A": 2, "C": 5}}}}

	report := syncrun.Run(t.Context(), opts)

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 3, Updated: 2, NotFound: 1}, syncrun.Succeeded)
	want := []v1alpha1.PlannedChange{{SKU: "A", From: 10, To: 8, Feed: 10, Reserved: 2}, {SKU: "B", From: 3, To: 4}}
	if len(report.Result.Changes) != len(want) || report.Result.Changes[0] != want[0] || report.Result.Changes[1] != want[1] {
		t.Fatalf("changes %+v, want %+v", report.Result.Changes, want)
	}
	if r := report.Result.Reserved; r == nil || r.SKUs != 2 || r.Units != 3 {
		t.Fatalf("reserved counts %+v, want 3 units over 2 SKUs", r)
	}
	s.checkAvailable(t, map[string]int64{a: 10, b: 3})
}

func TestRunRecomputesAStaleWriteWithTheReservationsReadAgain(t *testing.T) {
	for _, c := range []struct {
		name    string
		answers []reservation.Tally
		want    int64
	}{
		// The store sold one unit during the run; the ledger does not know it.
		{"a sale on the channel only", []reservation.Tally{{}}, 4},
		// The same sale reached the ledger as an order meanwhile: subtracted once.
		{"the sale reached the ledger", []reservation.Tally{{}, {Counted: reservation.Reserved{"A": 1}, Own: reservation.Reserved{"A": 1}}}, 4},
		// Another channel's order of 2 reached the ledger, and the store sold one: both count.
		{"another channel's order too", []reservation.Tally{{}, {Counted: reservation.Reserved{"A": 2}}}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newShop(t, 0)
			a := s.stock("A", 2)
			s.MakeStale(a)
			opts := options(levels(t, "A=5"), s.conn)
			opts.Reservations = &reservations{answers: c.answers}

			report := syncrun.Run(t.Context(), opts)

			checkCounts(t, report, v1alpha1.SKUCounts{Read: 1, Updated: 1}, syncrun.Succeeded)
			s.checkAvailable(t, map[string]int64{a: c.want})
		})
	}
}

func TestRunWithUnreadableReservationsWritesNothing(t *testing.T) {
	s := newShop(t, 0)
	a := s.stock("A", 2)
	opts := options(levels(t, "A=5"), s.conn)
	opts.Reservations = &reservations{err: errors.New("relay unavailable")}

	report := syncrun.Run(t.Context(), opts)

	if report.Status != syncrun.Partial || report.Result.Message == "" {
		t.Fatalf("report %+v, want Partial with the reason", report)
	}
	// Read is still the sum of the outcomes: the SKU read failed, unpushed.
	checkCounts(t, report, v1alpha1.SKUCounts{Read: 1, Failed: 1}, syncrun.Partial)
	s.checkAvailable(t, map[string]int64{a: 2})
}
