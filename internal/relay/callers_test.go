package relay

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// callWatch wraps the connectors a relay builds to see its calls to the store: how many are
// out at once, and whether two out at once ever name one item at one location. When
// loseAnswers is set, a write is applied by the store and its answer lost: the call hangs
// until the relay gives it up.
type callWatch struct {
	loseAnswers atomic.Bool

	mu          sync.Mutex
	out         map[string]int
	calls       int
	maxCalls    int
	overlaps    int
	lostPending int
}

func newCallWatch() *callWatch { return &callWatch{out: map[string]int{}} }

func (w *callWatch) connect(ch *v1alpha1.SalesChannel, location string, credential []byte) (channel.Connector, error) {
	conn, err := DefaultConnectorFactory(nil)(ch, location, credential)
	if err != nil {
		return nil, err
	}
	return &watchedConnector{Connector: conn, watch: w}, nil
}

type watchedConnector struct {
	channel.Connector
	watch *callWatch
}

func (c *watchedConnector) Write(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change) ([]channel.ChangeResult, error) {
	w := c.watch
	refs := make([]string, len(changes))
	w.mu.Lock()
	for i, ch := range changes {
		refs[i] = changeRef(ch)
		if w.out[refs[i]] > 0 {
			w.overlaps++
		}
	}
	for _, ref := range refs {
		w.out[ref]++
	}
	w.calls++
	w.maxCalls = max(w.maxCalls, w.calls)
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, ref := range refs {
			w.out[ref]--
		}
		w.calls--
	}()
	results, err := c.Connector.Write(ctx, strategy, key, changes)
	if err != nil || !w.loseAnswers.Load() {
		return results, err
	}
	w.mu.Lock()
	w.lostPending++
	w.mu.Unlock()
	<-ctx.Done()
	w.mu.Lock()
	w.lostPending--
	w.mu.Unlock()
	return nil, ctx.Err()
}

func (w *callWatch) figures() (maxCalls, overlaps, lostPending int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.maxCalls, w.overlaps, w.lostPending
}

// storeOfLocations gives the test's Shopify channel "shop" n more locations, each fed by a
// warehouse of its own (warehouse-<i>), with skus SKUs at 100 each; it returns the item of
// each SKU and the locations.
func (e *testEnv) storeOfLocations(n, skus int) (items, locations []string) {
	e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	for i := range skus {
		_, item := e.shop.AddVariant(fmt.Sprintf("SKU-%02d", i))
		items = append(items, item)
	}
	for l := range n {
		location := e.shop.AddLocation(fmt.Sprintf("wh-%02d", l))
		for _, item := range items {
			e.shop.SetAvailable(item, location, initialQuantity)
		}
		e.scope.Syncs = append(e.scope.Syncs, inventorySync(fmt.Sprintf("wh-%02d", l), "shop", fmt.Sprintf("warehouse-%02d", l), location))
		locations = append(locations, location)
	}
	e.dir.Set(e.scope)
	return items, locations
}

// spreadReceipts is n receipts of one unit each, 25 in a row for one item at one location,
// then the next, over the locations and SKUs, with the units each item at each location
// gets. A call of 250 then holds ten items, and leaves the others to other calls.
func spreadReceipts(prefix string, n, locations, skus int) (events []Event, want map[[2]int]int64) {
	want = map[[2]int]int64{}
	for i := range n {
		item := (i / 25) % (locations * skus)
		l, s := item%locations, item/locations
		events = append(events, Event{ID: fmt.Sprintf("%s-%d", prefix, i), Trigger: TriggerReceiveReceipt, SKU: fmt.Sprintf("SKU-%02d", s),
			FulfillmentChannel: fmt.Sprintf("warehouse-%02d", l), Increment: ptr(1)})
		want[[2]int{l, s}]++
	}
	return events, want
}

func (e *testEnv) assertSpreadLevels(t *testing.T, items, locations []string, want map[[2]int]int64) {
	t.Helper()
	for l, location := range locations {
		for s, item := range items {
			if got, w := e.shop.Available(item, location), initialQuantity+want[[2]int{l, s}]; got != w {
				t.Errorf("SKU-%02d at wh-%02d shows %d, want %d: an increment was lost or applied twice", s, l, got, w)
			}
		}
	}
}

// TestAStoreHasSeveralCallsOutNeverTwoOnOneItem: under a burst from many senders, a store's
// writer has several calls out at once, and no two of them ever name one item at one
// location; every event is applied once.
func TestAStoreHasSeveralCallsOutNeverTwoOnOneItem(t *testing.T) {
	watch := newCallWatch()
	e := newTestEnv(t, envOptions{config: Config{Connect: watch.connect}})
	items, locations := e.storeOfLocations(10, 10)
	e.shop.SetLatency(30 * time.Millisecond)

	m := newRelayMetrics(t)
	events, want := spreadReceipts("burst", 2_000, len(locations), len(items))
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < len(events); i += 25 {
		wg.Go(func() {
			status, resp, _ := e.post(events[i : i+25]...)
			if status != http.StatusOK {
				failed.Add(1)
				return
			}
			for _, er := range resp.Results {
				if r := channelResult(t, er, "shop"); r.Status != StatusPushed {
					t.Errorf("event %s: %+v, want Pushed", er.ID, r)
				}
			}
		})
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d requests were not answered 200", n)
	}
	e.assertSpreadLevels(t, items, locations, want)
	maxCalls, overlaps, _ := watch.figures()
	if maxCalls < 2 {
		t.Errorf("at most %d call out at once, want several", maxCalls)
	}
	if overlaps > 0 {
		t.Errorf("%d calls named an item at a location another call out at the same time named", overlaps)
	}
	if out := m.value("channel_calls_in_flight", "platform", string(v1alpha1.PlatformShopify)); out != 0 {
		t.Errorf("channel_calls_in_flight is %v once every call was answered, want 0", out)
	}
}

// TestCallsOutOnAKilledReplicaApplyOnce: a replica has several calls out to the store when
// it dies; the store applied them and their answers are lost. The senders send every event
// again to another replica, which takes the store's writer over, sends every recorded intent
// again under its key, and answers each event applied: every item ends at its start plus
// the sum of its events, exactly. The replica taking over may run fewer callers than the
// slots it inherits.
func TestCallsOutOnAKilledReplicaApplyOnce(t *testing.T) {
	for _, calls := range []int{DefaultCallsPerStore, 1} {
		t.Run(fmt.Sprintf("taken over with %d calls per store", calls), func(t *testing.T) {
			callsOutOnAKilledReplicaApplyOnce(t, calls)
		})
	}
}

func callsOutOnAKilledReplicaApplyOnce(t *testing.T, takeoverCalls int) {
	watch := newCallWatch()
	watch.loseAnswers.Store(true)
	e := newTestEnv(t, envOptions{config: Config{Connect: watch.connect, LeaseTTL: time.Second},
		handler: HandlerOptions{ResponseTimeout: 200 * time.Millisecond}})
	items, locations := e.storeOfLocations(10, 10)
	e.shop.SetLatency(20 * time.Millisecond)

	events, want := spreadReceipts("lost", 1_000, len(locations), len(items))
	self := &replica{svc: e.svc, api: e.api}
	for i := 0; i < len(events); i += 25 {
		go e.postTo(self, events[i:i+25]...)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		if _, _, lost := watch.figures(); lost >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the store never had two writes applied and unanswered at once")
		}
	}
	e.svc.Kill()
	watch.loseAnswers.Store(false)
	e.cfg.CallsPerStore = takeoverCalls
	other := e.addReplica("relay-1")

	for i := 0; i < len(events); i += 25 {
		batch := events[i : i+25]
		deadline := time.Now().Add(30 * time.Second)
		for {
			status, resp := e.postTo(other, batch...)
			if status == http.StatusOK && allPushed(t, resp, "shop") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("events from %s on the other replica: status %d %+v", batch[0].ID, status, resp)
			}
		}
	}
	e.assertSpreadLevels(t, items, locations, want)
	if replays := e.shop.Stats().IdempotentReplays; replays < 2 {
		t.Errorf("the store answered %d re-sent writes from its idempotency record, want the lost calls' (at least 2)", replays)
	}
}

func allPushed(t *testing.T, resp Response, name string) bool {
	for _, er := range resp.Results {
		if channelResult(t, er, name).Status != StatusPushed {
			return false
		}
	}
	return len(resp.Results) > 0
}
