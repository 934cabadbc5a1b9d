package relay

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// TestReusedIDRacingWithOtherContentIsRefused sends, for each of many ids, two events with
// that id and different content at the same moment, all requests of a round leaving the
// directory together: exactly one of each pair is taken, and the channel shows exactly the
// taken ones.
func TestReusedIDRacingWithOtherContentIsRefused(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	const rounds, pairs = 20, 50
	dir := &gatheringDirectory{Directory: e.dir, size: 2 * pairs}
	svc, err := New(Config{Directory: dir, Ledger: e.ledgerSrv.Open(t), Replica: "relay-racing"})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if err := svc.WaitSynced(context.Background()); err != nil {
		t.Fatal(err)
	}
	increments := [2]int64{1, 1000}
	want := int64(initialQuantity)
	for round := range rounds {
		taken := make([][2]bool, pairs)
		var wg sync.WaitGroup
		for i := range pairs {
			for v, inc := range increments {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := svc.Handle(context.WithValue(context.Background(), gathered{}, true), []Event{receipt(fmt.Sprintf("race-%d-%d", round, i), inc)})
					taken[i][v] = err == nil && len(resp.Errors) == 0
				}()
			}
		}
		wg.Wait()
		for i, pair := range taken {
			if pair[0] == pair[1] {
				t.Errorf("id race-%d-%d: taken %v, want exactly one of the two", round, i, pair)
			}
			for v, ok := range pair {
				if ok {
					want += increments[v]
				}
			}
		}
	}
	if got := e.level(hook); got != want {
		t.Errorf("hook shows %d, want %d", got, want)
	}
}

// gathered marks the contexts of the requests gatheringDirectory holds; the lanes' own reads
// of the scope pass through.
type gathered struct{}

// gatheringDirectory holds the Scope calls of marked requests until size of them have come,
// then lets them all go at once, so their requests reach the ledger together.
type gatheringDirectory struct {
	Directory
	size    int
	mu      sync.Mutex
	arrived int
	release chan struct{}
}

func (d *gatheringDirectory) Scope(ctx context.Context) (Scope, error) {
	scope, err := d.Directory.Scope(ctx)
	if ctx.Value(gathered{}) == nil {
		return scope, err
	}
	d.mu.Lock()
	if d.release == nil {
		d.release = make(chan struct{})
	}
	release := d.release
	d.arrived++
	if d.arrived == d.size {
		close(release)
		d.arrived, d.release = 0, nil
	}
	d.mu.Unlock()
	<-release
	return scope, err
}

// TestAllocateOrderFromAnUnknownChannelIsRefused: an order naming a SalesChannel that does
// not exist is a 400 for that event, not an order from "another channel".
func TestAllocateOrderFromAnUnknownChannelIsRefused(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	order := func(id, origin string) Event {
		return Event{ID: id, Trigger: TriggerAllocateOrder, SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(-1), SalesChannel: origin}
	}
	status, resp, _ := e.post(order("from-nowhere", "no-such-channel"), order("from-hook", "hook"))
	if status != http.StatusBadRequest || len(resp.Errors) != 1 || resp.Errors[0].Index != 0 {
		t.Fatalf("status %d, answer %+v; want 400 for index 0", status, resp)
	}
	if got := channelResult(t, resp.Results[0], "hook"); got.Reason != ReasonSameChannelOrder {
		t.Errorf("order from the channel itself: %+v", got)
	}
	if got := e.level(hook); got != initialQuantity {
		t.Errorf("hook shows %d, want %d", got, initialQuantity)
	}
}
