package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/ledger/ledgertest"
)

// A request's events are accepted in one batch; a batch that holds an id the ledger already
// has is accepted one by one, with the same answers Accept gives.
func TestAcceptAllAnswersAsAcceptDoes(t *testing.T) {
	srv := ledgertest.StartDurable(t)
	store := srv.Open(t)
	ctx := context.Background()
	var evs []ledger.Event
	for i := range 3 {
		evs = append(evs, event(fmt.Sprintf("e-%d", i), "d"))
	}
	held, created, err := store.AcceptAll(ctx, evs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if !created[i] || held[i].ID != evs[i].ID {
			t.Fatalf("event %d: created %v held %q", i, created[i], held[i].ID)
		}
		if c, _, err := store.Claim(ctx, ledger.ClaimKey(lane, evs[i].ID)); err != nil || c.State != ledger.Accepted {
			t.Fatalf("claim of event %d: %+v %v", i, c, err)
		}
	}
	again := []ledger.Event{event("e-1", "other"), event("e-9", "d")}
	held, created, err = store.AcceptAll(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if created[0] || held[0].Digest != "d" {
		t.Fatalf("a known id: created %v digest %q, want the first content back", created[0], held[0].Digest)
	}
	if !created[1] {
		t.Fatal("a new id beside a known one was not created")
	}
	if _, _, err := store.Claim(ctx, ledger.ClaimKey(lane, "e-9")); err != nil {
		t.Fatalf("claim of the new event: %v", err)
	}
}

// Outcomes recorded together keep each claim's compare-and-swap: a claim another writer
// settled first keeps its outcome and reports ErrConflict; the others are recorded.
func TestSettleAllKeepsEachClaimsRevision(t *testing.T) {
	srv := ledgertest.StartDurable(t)
	store := srv.Open(t)
	ctx := context.Background()
	var settlements []ledger.Settlement
	for i := range 3 {
		ev := event(fmt.Sprintf("s-%d", i), "d")
		if _, _, err := store.Accept(ctx, ev); err != nil {
			t.Fatal(err)
		}
		key := ledger.ClaimKey(lane, ev.ID)
		c, rev, err := store.Claim(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		c.Outcome = &ledger.Outcome{Status: "Pushed"}
		settlements = append(settlements, ledger.Settlement{Key: key, Rev: rev, Claim: c})
	}
	first := settlements[1].Claim
	first.Outcome = &ledger.Outcome{Status: "Failed", Reason: "ChannelRefused"}
	if err := store.Settle(ctx, settlements[1].Key, settlements[1].Rev, first); err != nil {
		t.Fatal(err)
	}
	errs := store.SettleAll(ctx, settlements)
	for i, err := range errs {
		want := error(nil)
		if i == 1 {
			want = ledger.ErrConflict
		}
		if !errors.Is(err, want) {
			t.Fatalf("settlement %d: %v, want %v", i, err, want)
		}
	}
	for i, st := range settlements {
		c, _, err := store.Claim(ctx, st.Key)
		if err != nil || c.State != ledger.Settled {
			t.Fatalf("claim %d: %+v %v", i, c, err)
		}
		if want := map[bool]string{true: "Failed", false: "Pushed"}[i == 1]; c.Outcome.Status != want {
			t.Fatalf("claim %d: outcome %s, want %s", i, c.Outcome.Status, want)
		}
	}
	// All at their revisions: one batch.
	if errs := store.SettleAll(ctx, nil); len(errs) != 0 {
		t.Fatalf("no settlements: %v", errs)
	}
}
