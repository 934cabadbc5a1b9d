package reservation_test

import (
	"math/rand"
	"testing"
	"testing/quick"
	"time"

	"github.com/techoms/inventory-operator/internal/reservation"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func TestTarget(t *testing.T) {
	for _, c := range []struct {
		name                  string
		level, reserved, want int64
	}{
		{"no reservation", 10, 0, 10},
		{"an order of 2 after the snapshot", 10, 2, 8},
		{"more reserved than the feed lists", 3, 5, 0},
		{"exactly the feed's level", 4, 4, 0},
		{"an empty level", 0, 2, 0},
	} {
		if got := reservation.Target(c.level, c.reserved); got != c.want {
			t.Errorf("%s: Target(%d, %d) = %d, want %d", c.name, c.level, c.reserved, got, c.want)
		}
	}
}

func TestTargetProperties(t *testing.T) {
	cfg := &quick.Config{MaxCount: 2000, Rand: rand.New(rand.NewSource(1))}
	// Never above the feed level, never below zero, equal to it without reservations.
	bounded := func(level uint32, reserved uint32) bool {
		got := reservation.Target(int64(level), int64(reserved))
		return got <= int64(level) && got >= 0 && reservation.Target(int64(level), 0) == int64(level)
	}
	if err := quick.Check(bounded, cfg); err != nil {
		t.Error(err)
	}
	// Each reservation is subtracted once: as long as stock is left, the target falls by
	// exactly the units reserved, however the entries are split and repeated.
	once := func(level uint32, units []uint8, repeat uint8) bool {
		var entries []reservation.Entry
		var total int64
		for i, u := range units {
			e := reservation.Entry{EventID: string(rune('a'+i%26)) + string(rune('A'+i/26)), SKU: "A", Units: int64(u) + 1, OccurredAt: t0.Add(time.Minute)}
			total += e.Units
			entries = append(entries, e)
			for range int(repeat) % 3 {
				entries = append(entries, e)
			}
		}
		reserved := reservation.Tally(entries, reservation.Scope{Snapshot: t0})["A"]
		if reserved != total {
			return false
		}
		got := reservation.Target(int64(level)+total, reserved)
		return got == int64(level)
	}
	if err := quick.Check(once, cfg); err != nil {
		t.Error(err)
	}
}

func TestTallyScope(t *testing.T) {
	entries := []reservation.Entry{
		{EventID: "before", SKU: "A", Units: 4, SalesChannel: "b2b", OccurredAt: t0.Add(-time.Second)},
		{EventID: "at", SKU: "A", Units: 4, SalesChannel: "b2b", OccurredAt: t0},
		{EventID: "other", SKU: "A", Units: 2, SalesChannel: "b2b", OccurredAt: t0.Add(time.Minute)},
		{EventID: "own", SKU: "A", Units: 3, SalesChannel: "shop", OccurredAt: t0.Add(time.Minute)},
		{EventID: "shrink", SKU: "B", Units: 1, OccurredAt: t0.Add(time.Minute)},
	}
	for _, c := range []struct {
		name  string
		scope reservation.Scope
		want  reservation.Reserved
	}{
		{"available counts every order after the snapshot", reservation.Scope{Snapshot: t0, SalesChannel: "shop"}, reservation.Reserved{"A": 5, "B": 1}},
		{"on hand leaves the channel's own orders to it", reservation.Scope{Snapshot: t0, SalesChannel: "shop", OnHand: true}, reservation.Reserved{"A": 2, "B": 1}},
		{"a newer snapshot counts them all already", reservation.Scope{Snapshot: t0.Add(time.Hour), SalesChannel: "shop"}, reservation.Reserved{}},
	} {
		got := reservation.Tally(entries, c.scope)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for sku, u := range c.want {
			if got[sku] != u {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}

func TestAfterStale(t *testing.T) {
	for _, c := range []struct {
		name                         string
		target, retarget, sold, want int64
	}{
		{"a unit sold in the store stays sold", 5, 5, 1, 4},
		{"the sale reached the ledger too: subtracted once", 5, 4, 1, 4},
		{"a new reservation elsewhere and no sale here", 5, 3, 0, 3},
		{"the channel went up: nothing to keep", 5, 5, 0, 5},
		{"more sold than stock", 2, 2, 5, 0},
	} {
		if got := reservation.AfterStale(c.target, c.retarget, c.sold); got != c.want {
			t.Errorf("%s: AfterStale(%d, %d, %d) = %d, want %d", c.name, c.target, c.retarget, c.sold, got, c.want)
		}
	}
}
