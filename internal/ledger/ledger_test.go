package ledger_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/ledger/ledgertest"
)

var lane = ledger.Lane{Namespace: "retail", Channel: "shop", Location: "gid://shopify/Location/1"}

func event(id, digest string) ledger.Event {
	return ledger.Event{ID: id, Digest: digest, AcceptedAt: time.Now(), Claims: []ledger.Claim{
		{EventID: id, Lane: lane, State: ledger.Accepted, Work: ledger.Work{SKU: "A", Strategy: "Incremental", Quantity: 3}},
	}}
}

func TestClaimsRacingAcrossConnectionsAcceptOnce(t *testing.T) {
	srv := ledgertest.Start(t)
	stores := []*ledger.Store{srv.Open(t), srv.Open(t), srv.Open(t)}
	ctx := context.Background()
	var created atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			held, isNew, err := stores[i%3].Accept(ctx, event("rcpt-1", "d1"))
			if err != nil {
				t.Error(err)
				return
			}
			if held.Digest != "d1" {
				t.Errorf("held digest %q", held.Digest)
			}
			if isNew {
				created.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := created.Load(); n != 1 {
		t.Fatalf("%d acceptances created the event, want exactly 1", n)
	}
	// A reused id with other content gets the first content back, so the caller refuses it.
	held, isNew, err := stores[1].Accept(ctx, event("rcpt-1", "other"))
	if err != nil || isNew || held.Digest != "d1" {
		t.Fatalf("reused id: held %q new %v err %v", held.Digest, isNew, err)
	}
	c, _, err := stores[2].Claim(ctx, ledger.ClaimKey(lane, "rcpt-1"))
	if err != nil || c.State != ledger.Accepted || c.Work.Quantity != 3 {
		t.Fatalf("claim: %+v %v", c, err)
	}
}

func TestSettleIsOnceAcrossWriters(t *testing.T) {
	srv := ledgertest.Start(t)
	a, b := srv.Open(t), srv.Open(t)
	ctx := context.Background()
	if _, _, err := a.Accept(ctx, event("ord-1", "d")); err != nil {
		t.Fatal(err)
	}
	key := ledger.ClaimKey(lane, "ord-1")
	c, rev, err := a.Claim(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	c.Outcome = &ledger.Outcome{Status: "Pushed"}
	if err := a.Settle(ctx, key, rev, c); err != nil {
		t.Fatal(err)
	}
	if err := b.Settle(ctx, key, rev, c); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("second settle at the same revision: %v, want ErrConflict", err)
	}
}

func TestStaleWriterIsFencedAfterTakeover(t *testing.T) {
	srv := ledgertest.Start(t)
	a, b := srv.Open(t), srv.Open(t)
	ctx := context.Background()
	clock := time.Now()
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	old, err := a.AcquireLane(ctx, lane, "relay-a", 10*time.Second, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AcquireLane(ctx, lane, "relay-b", 10*time.Second, now); !errors.Is(err, ledger.ErrLaneHeld) {
		t.Fatalf("acquiring a held lane: %v, want ErrLaneHeld", err)
	}
	// Three calls in flight, in slots 0, 1 and 3; slot 1's is resolved before the pause.
	for _, in := range []ledger.Intent{
		{Key: "relay-k1", Strategy: "Incremental", Changes: []channel.Change{{ItemID: "i1", SKU: "A", Quantity: 4}}, Claims: []string{"c1"}, At: now()},
		{Key: "relay-k3", Strategy: "Incremental", Changes: []channel.Change{{ItemID: "i3", SKU: "C", Quantity: 2}}, Claims: []string{"c3"}, At: now(), Slot: 3},
		{Key: "relay-k2", Strategy: "Absolute", Changes: []channel.Change{{ItemID: "i2", SKU: "B", Quantity: 7}}, Claims: []string{"c2"}, At: now(), Slot: 1},
	} {
		if err := old.RecordIntent(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.ClearIntent(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// The old writer pauses past its lease; the other replica takes the lane over and finds
	// the unresolved intent.
	mu.Lock()
	clock = clock.Add(11 * time.Second)
	mu.Unlock()
	taken, err := b.AcquireLane(ctx, lane, "relay-b", 10*time.Second, now)
	if err != nil {
		t.Fatal(err)
	}
	in := taken.Inherited()
	if len(in) != 2 || in[0].Key != "relay-k1" || in[0].Slot != 0 || in[0].Changes[0].Quantity != 4 ||
		in[1].Key != "relay-k3" || in[1].Slot != 3 || in[1].Changes[0].Quantity != 2 {
		t.Fatalf("inherited intents %+v, want relay-k1 in slot 0 and relay-k3 in slot 3", in)
	}
	// The old writer wakes up: every step it would take before writing is refused.
	if err := old.RecordIntent(ctx, ledger.Intent{Key: "relay-k2"}); !errors.Is(err, ledger.ErrLostLane) {
		t.Fatalf("stale writer's intent: %v, want ErrLostLane", err)
	}
	if err := old.Renew(ctx); !errors.Is(err, ledger.ErrLostLane) {
		t.Fatalf("stale writer's renewal: %v, want ErrLostLane", err)
	}
	for _, slot := range []int{0, 3} {
		if err := taken.ClearIntent(ctx, slot); err != nil {
			t.Fatal(err)
		}
	}
	// Resolved intents are not inherited again.
	if err := taken.Release(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := a.AcquireLane(ctx, lane, "relay-a", 10*time.Second, now)
	if err != nil {
		t.Fatal(err)
	}
	if in := again.Inherited(); len(in) != 0 {
		t.Fatalf("inherited %+v after every intent was cleared", in)
	}
}

func TestLevelsOutOfOrderAreSuperseded(t *testing.T) {
	srv := ledgertest.Start(t)
	a, b := srv.Open(t), srv.Open(t)
	ctx := context.Background()
	for _, step := range []struct {
		store      *ledger.Store
		seq        int64
		id         string
		superseded bool
	}{
		{a, 7, "lvl-7", false},
		{b, 5, "lvl-5", true},
		{a, 7, "lvl-7", false}, // the same event again
		{b, 7, "lvl-7b", true}, // another event claiming the same sequence
		{b, 9, "lvl-9", false},
	} {
		got, err := step.store.RecordLevel(ctx, "warehouse", "A", step.seq, step.id)
		if err != nil {
			t.Fatal(err)
		}
		if got != step.superseded {
			t.Errorf("RecordLevel(%d, %s) superseded = %v, want %v", step.seq, step.id, got, step.superseded)
		}
	}
	if s, err := a.Superseded(ctx, "warehouse", "A", 7, "lvl-7"); err != nil || !s {
		t.Fatalf("level 7 after 9: superseded %v err %v", s, err)
	}
	if s, err := a.Superseded(ctx, "warehouse", "B", 1, "x"); err != nil || s {
		t.Fatalf("another SKU: superseded %v err %v", s, err)
	}
}
