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
// that id and different content at the same moment: exactly one of each pair is taken, and
// the channels show exactly the taken ones.
func TestReusedIDRacingWithOtherContentIsRefused(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	shop := e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	const ids = 100
	increments := [2]int64{1, 1000}
	taken := make([][2]bool, ids)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range ids {
		for v, inc := range increments {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				resp, err := e.svc.Handle(context.Background(), []Event{receipt(fmt.Sprintf("race-%d", i), inc)})
				taken[i][v] = err == nil && len(resp.Errors) == 0
			}()
		}
	}
	close(start)
	wg.Wait()
	want := int64(initialQuantity)
	for i, pair := range taken {
		if pair[0] == pair[1] {
			t.Errorf("id race-%d: taken %v, want exactly one of the two", i, pair)
		}
		for v, ok := range pair {
			if ok {
				want += increments[v]
			}
		}
	}
	for _, c := range []*testChannel{shop, hook} {
		if got := e.level(c); got != want {
			t.Errorf("%s shows %d, want %d", c.name, got, want)
		}
	}
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
