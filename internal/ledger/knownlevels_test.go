package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/ledger/ledgertest"
)

// TestKnownLevels: the newest level is read back while it is trusted, an older sequence never
// replaces a newer one, a level past KnownLevelTTL is unknown, and a forgotten one too.
func TestKnownLevels(t *testing.T) {
	s := ledgertest.Start(t).Open(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	seq := func(v int64) *int64 { return &v }
	read := func(sku string, now time.Time) (int64, bool) {
		t.Helper()
		l, ok, err := s.KnownLevelOf(ctx, "berlin", sku, now)
		if err != nil {
			t.Fatal(err)
		}
		return l.Quantity, ok
	}
	if _, ok := read("TEA", at); ok {
		t.Fatal("a level is known before any was recorded")
	}
	for _, l := range []ledger.KnownLevel{
		{Quantity: 7, Sequence: seq(5), EventID: "e5", At: at},
		{Quantity: 9, Sequence: seq(4), EventID: "e4", At: at.Add(time.Minute)}, // older: ignored
	} {
		if err := s.RecordKnownLevel(ctx, "berlin", "TEA", l); err != nil {
			t.Fatal(err)
		}
	}
	if q, ok := read("TEA", at.Add(time.Minute)); !ok || q != 7 {
		t.Errorf("TEA known as %d (%v), want 7", q, ok)
	}
	if _, ok, _ := s.KnownLevelOf(ctx, "hamburg", "TEA", at); ok {
		t.Error("another fulfillment channel's level is known")
	}
	if _, ok := read("TEA", at.Add(ledger.KnownLevelTTL+time.Second)); ok {
		t.Error("a level older than KnownLevelTTL is still trusted")
	}
	if err := s.RecordKnownLevel(ctx, "berlin", "TEA", ledger.KnownLevel{Quantity: 3, EventID: "e6", At: at}); err != nil {
		t.Fatal(err)
	}
	if q, _ := read("TEA", at); q != 3 {
		t.Errorf("a level without sequence did not replace the held one: %d", q)
	}
	if err := s.ForgetKnownLevel(ctx, "berlin", "TEA"); err != nil {
		t.Fatal(err)
	}
	if _, ok := read("TEA", at); ok {
		t.Error("a forgotten level is still known")
	}
	if err := s.ForgetKnownLevel(ctx, "berlin", "NEVER"); err != nil {
		t.Errorf("forgetting an unknown level: %v", err)
	}
}

// Two targets of one event at one location, an alias and a kit, have claims of their own.
func TestClaimKeysPerChannelSKU(t *testing.T) {
	own := ledger.Claim{EventID: "e1", Lane: lane, Work: ledger.Work{SKU: "MUG"}}
	alias := ledger.Claim{EventID: "e1", Lane: lane, Work: ledger.Work{SKU: "SHOP-MUG", WarehouseSKU: "MUG"}}
	kit := ledger.Claim{EventID: "e1", Lane: lane, Work: ledger.Work{SKU: "GIFT-BOX", WarehouseSKU: "MUG"}}
	if own.Key() != ledger.ClaimKey(lane, "e1") {
		t.Error("the claim of the event's own SKU changed its key")
	}
	keys := map[string]bool{own.Key(): true, alias.Key(): true, kit.Key(): true}
	if len(keys) != 3 {
		t.Errorf("keys %v are not distinct", keys)
	}
	if kit.Work.LevelSKU() != "MUG" || own.Work.LevelSKU() != "MUG" {
		t.Error("LevelSKU is not the event's SKU")
	}
}
