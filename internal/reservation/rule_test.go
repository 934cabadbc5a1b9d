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
		reserved := reservation.Sum(entries, reservation.Scope{Snapshot: t0}).Counted["A"]
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
		name      string
		scope     reservation.Scope
		want, own reservation.Reserved
	}{
		{"available counts every order after the snapshot", reservation.Scope{Snapshot: t0, SalesChannel: "shop"}, reservation.Reserved{"A": 5, "B": 1}, reservation.Reserved{"A": 3}},
		{"on hand leaves the channel's own orders to it", reservation.Scope{Snapshot: t0, SalesChannel: "shop", OnHand: true}, reservation.Reserved{"A": 2, "B": 1}, reservation.Reserved{"A": 3}},
		{"a newer snapshot counts them all already", reservation.Scope{Snapshot: t0.Add(time.Hour), SalesChannel: "shop"}, reservation.Reserved{}, reservation.Reserved{}},
	} {
		got := reservation.Sum(entries, c.scope)
		if !equal(got.Counted, c.want) || !equal(got.Own, c.own) {
			t.Errorf("%s: counted %v own %v, want %v and %v", c.name, got.Counted, got.Own, c.want, c.own)
		}
	}
}

func equal(a, b reservation.Reserved) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestAfterStale(t *testing.T) {
	for _, c := range []struct {
		name                           string
		retarget, sold, ownSince, want int64
	}{
		{"a unit sold in the store stays sold", 5, 1, 0, 4},
		{"the sale reached the ledger as the store's order: subtracted once", 4, 1, 1, 4},
		{"another channel's order and a sale in the store", 3, 1, 0, 2},
		{"the channel went up: nothing to keep", 5, 0, 0, 5},
		{"more sold than stock", 2, 5, 0, 0},
	} {
		if got := reservation.AfterStale(c.retarget, c.sold, c.ownSince); got != c.want {
			t.Errorf("%s: AfterStale(%d, %d, %d) = %d, want %d", c.name, c.retarget, c.sold, c.ownSince, got, c.want)
		}
	}
}
