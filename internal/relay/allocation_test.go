package relay

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
)

// bufferHalf holds 5 units back and shows half of the rest: 25 shows 10.
var bufferHalf = &v1alpha1.AllocationRules{Buffer: ptr(5), Percentage: ptr(50)}

// shows is what a channel under bufferHalf shows for a warehouse level.
func shows(level int64) int64 { return allocation.Apply(bufferHalf.Rules(), level) }

// setChannelAllocation gives the channel named name the allocation rules.
func (e *testEnv) setChannelAllocation(name string, rules *v1alpha1.AllocationRules) {
	e.scope.Channels = slices.Clone(e.scope.Channels)
	for i := range e.scope.Channels {
		if e.scope.Channels[i].Name == name {
			e.scope.Channels[i].Spec.Inventory.Allocation = rules
		}
	}
	e.dir.Set(e.scope)
}

// editSync changes the InventorySync addChannel made for the channel named name.
func (e *testEnv) editSync(name string, edit func(*v1alpha1.InventorySync)) {
	e.scope.Syncs = slices.Clone(e.scope.Syncs)
	for i := range e.scope.Syncs {
		if e.scope.Syncs[i].Spec.SalesChannelRef.Name == name {
			edit(&e.scope.Syncs[i])
		}
	}
	e.dir.Set(e.scope)
}

func levelsEvent(id string, trigger EventTrigger, before, after int64) Event {
	return Event{ID: id, Trigger: trigger, SKU: testSKU, FulfillmentChannel: testWarehouse, QuantityBefore: ptr(before), QuantityAfter: ptr(after)}
}

// postOne sends one request and fails the test unless it is a 200 with a result per event.
func (e *testEnv) postOne(events ...Event) Response {
	e.t.Helper()
	status, resp, _ := e.post(events...)
	if status != http.StatusOK || len(resp.Results) != len(events) {
		e.t.Fatalf("status %d, answer %+v", status, resp)
	}
	return resp
}

// TestAllocationRulesThroughTheAPI sends events to Shopify and webhook channels with a buffer
// and a percentage, in the two modes that push: an event that carries quantityAfter brings the
// channel to what the rules leave of it, whatever the mode's push; one without gets
// AllocationNeedsLevel and changes nothing.
func TestAllocationRulesThroughTheAPI(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	modes := []v1alpha1.InventoryMode{v1alpha1.ModeRealTimeAdjustment, v1alpha1.ModeSynchronizeWithFulfillmentChannel}
	column := map[string]int{}
	for i, mode := range modes {
		for _, platform := range []v1alpha1.Platform{v1alpha1.PlatformShopify, v1alpha1.PlatformWebhook} {
			c := e.addChannel(fmt.Sprintf("%s-%d", platform, i), platform, mode, v1alpha1.DuplicateSKUsSkip)
			e.setChannelAllocation(c.name, bufferHalf)
			column[c.name] = i
		}
	}
	// Orders come from a channel out of the relay's scope.
	e.scope.OtherChannels = append(slices.Clone(e.scope.OtherChannels), "elsewhere")
	e.dir.Set(e.scope)
	// expect is one column's outcome: a reason of NotApplicable, or, without one, Pushed
	// with the channel then showing what the rules leave of quantityAfter.
	type expect struct{ reason string }
	pushed := expect{}
	rows := []struct {
		name  string
		event Event
		cells [2]expect
	}{
		{"ImportInventoryLevel", levelsEvent("import", TriggerImportInventoryLevel, 20, 25), [2]expect{pushed, {ReasonModeDoesNotPush}}},
		{"APIBulkUpdate", levelsEvent("bulk", TriggerAPIBulkUpdate, 25, 41), [2]expect{pushed, pushed}},
		{"ReceiveReceipt", receipt("receipt", 3), [2]expect{{ReasonAllocationNeedsLevel}, {ReasonModeDoesNotPush}}},
		{"APISingleRowUpdate without change", levelsEvent("same", TriggerAPISingleRowUpdate, 41, 41), [2]expect{pushed, {ReasonModeDoesNotPush}}},
		{"APIBulkUpdate below the buffer", levelsEvent("low", TriggerAPIBulkUpdate, 41, 3), [2]expect{pushed, pushed}},
		{"ReceiveReceipt with levels", levelsEvent("receipt-levels", TriggerReceiveReceipt, 3, 45), [2]expect{pushed, {ReasonModeDoesNotPush}}},
		{"AllocateOrder with levels", Event{ID: "order-levels", Trigger: TriggerAllocateOrder, SKU: testSKU, FulfillmentChannel: testWarehouse,
			SalesChannel: "elsewhere", Increment: ptr(-2), QuantityBefore: ptr(45), QuantityAfter: ptr(43)}, [2]expect{pushed, {ReasonModeDoesNotPush}}},
	}
	for _, r := range rows {
		before := e.levels()
		shopWrites := len(e.shop.History())
		resp := e.postOne(r.event)
		after := e.levels()
		for name, col := range column {
			want, wantStatus := before[name], StatusNotApplicable
			cell := r.cells[col]
			if cell == pushed {
				want, wantStatus = shows(*r.event.QuantityAfter), StatusPushed
			}
			got := channelResult(t, resp.Results[0], name)
			if got.Status != wantStatus || got.Reason != cell.reason {
				t.Errorf("%s: channel %s reported %s/%s (%s), want %s/%s", r.name, name, got.Status, got.Reason, got.Message, wantStatus, cell.reason)
			}
			if cell == pushed && (got.Quantity == nil || *got.Quantity != want) {
				t.Errorf("%s: channel %s reported quantity %v, want the target %d", r.name, name, got.Quantity, want)
			}
			if after[name] != want {
				t.Errorf("%s: channel %s shows %d, want %d", r.name, name, after[name], want)
			}
		}
		if r.event.ID == "same" && len(e.shop.History()) != shopWrites {
			t.Errorf("%s: Shopify was written to although it already showed the target", r.name)
		}
	}
	if got := e.receiver.Stats().Rejected; got != 0 {
		t.Errorf("the webhook receiver rejected %d requests", got)
	}
}

// TestAllocationOfTheInventorySyncReplacesTheChannels: an InventorySync's own rules replace
// the channel's as a whole for its location.
func TestAllocationOfTheInventorySyncReplacesTheChannels(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	own := e.addChannel("own", v1alpha1.PlatformWebhook, v1alpha1.ModeSynchronizeWithFulfillmentChannel, "")
	channels := e.addChannel("channels", v1alpha1.PlatformShopify, v1alpha1.ModeSynchronizeWithFulfillmentChannel, "")
	for _, c := range []*testChannel{own, channels} {
		e.setChannelAllocation(c.name, bufferHalf)
	}
	e.editSync(own.name, func(s *v1alpha1.InventorySync) { s.Spec.Allocation = &v1alpha1.AllocationRules{Maximum: ptr(7)} })

	resp := e.postOne(levelsEvent("bulk", TriggerAPIBulkUpdate, 0, 25))
	for c, want := range map[*testChannel]int64{own: 7, channels: shows(25)} {
		if got := e.level(c); got != want {
			t.Errorf("%s shows %d, want %d", c.name, got, want)
		}
		if got := channelResult(t, resp.Results[0], c.name); got.Status != StatusPushed || got.Quantity == nil || *got.Quantity != want {
			t.Errorf("%s reported %+v, want Pushed with quantity %d", c.name, got, want)
		}
	}
}

// movingReceiver sells one unit of each item a write names just before the write is served,
// the first moves times, as a concurrent order would between the relay's read and its write.
func movingReceiver(moves *atomic.Int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		rc := next.(*webhooktest.Receiver)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, webhook.OperationAdjust) && moves.Add(-1) >= 0 {
				for _, loc := range []string{"loc-hook"} {
					for _, it := range rc.Items(loc) {
						it.Quantity--
						rc.Put(loc, it)
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestAllocationTargetSurvivesAConcurrentChange: an item that moves between the relay's read
// and its write makes the compare-and-swap fail; the relay reads again and brings the item to
// the target (a write computed from the first read would lose the sale or the target). An
// item that keeps moving fails the event with ConcurrentChange and nothing of it is written.
func TestAllocationTargetSurvivesAConcurrentChange(t *testing.T) {
	t.Run("Shopify", func(t *testing.T) {
		e := newTestEnv(t, envOptions{})
		shop := e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeSynchronizeWithFulfillmentChannel, "")
		e.setChannelAllocation(shop.name, bufferHalf)
		e.shop.MakeStale(shop.itemID)
		resp := e.postOne(levelsEvent("bulk", TriggerAPIBulkUpdate, 0, 25))
		if got := channelResult(t, resp.Results[0], shop.name); got.Status != StatusPushed {
			t.Fatalf("reported %+v, want Pushed", got)
		}
		if got := e.level(shop); got != shows(25) {
			t.Errorf("shop shows %d, want %d", got, shows(25))
		}
		// The fake sells only under compare-and-swap: two calls are the stale one and the
		// one after the new read.
		if got := e.shop.Stats().Calls["inventoryAdjustQuantities"]; got != 2 {
			t.Errorf("%d writes, want 2", got)
		}
	})
	for _, tc := range []struct {
		name       string
		moves      int64
		wantStatus Status
		wantReason string
		want       int64
	}{
		{"moved once", 1, StatusPushed, "", shows(25)},
		{"keeps moving", maxAllocatedAttempts, StatusFailed, ReasonConcurrentChange, initialQuantity - maxAllocatedAttempts},
	} {
		t.Run("webhook "+tc.name, func(t *testing.T) {
			var moves atomic.Int64
			moves.Store(tc.moves)
			e := newTestEnv(t, envOptions{receiverHandler: movingReceiver(&moves)})
			hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeSynchronizeWithFulfillmentChannel, "")
			e.setChannelAllocation(hook.name, bufferHalf)
			resp := e.postOne(levelsEvent("bulk", TriggerAPIBulkUpdate, 0, 25))
			if got := channelResult(t, resp.Results[0], hook.name); got.Status != tc.wantStatus || got.Reason != tc.wantReason {
				t.Errorf("reported %+v, want %s/%s", got, tc.wantStatus, tc.wantReason)
			}
			if got := e.level(hook); got != tc.want {
				t.Errorf("hook shows %d, want %d", got, tc.want)
			}
			if left := moves.Load(); left > 0 {
				t.Errorf("%d writes expected but not made", left)
			}
		})
	}
}

// TestSummedFeedsTakeNoLevels: a location that sums several warehouses' feeds takes an
// event's increment as before, but not its quantityAfter (one warehouse's level) nor anything
// under allocation rules (they apply to the sum).
func TestSummedFeedsTakeNoLevels(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	absolute := e.addChannel("absolute", v1alpha1.PlatformWebhook, v1alpha1.ModeSynchronizeWithFulfillmentChannel, "")
	realTime := e.addChannel("realtime", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	rules := e.addChannel("rules", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	e.setChannelAllocation(rules.name, bufferHalf)
	for _, c := range []*testChannel{absolute, realTime, rules} {
		e.editSync(c.name, func(s *v1alpha1.InventorySync) {
			s.Spec.FulfillmentChannel.Feed = nil
			s.Spec.FulfillmentChannel.Feeds = []v1alpha1.NamedFeedSource{
				{Name: "berlin", FeedSource: v1alpha1.FeedSource{URL: "http://wms.invalid/berlin"}},
				{Name: "hamburg", FeedSource: v1alpha1.FeedSource{URL: "http://wms.invalid/hamburg"}},
			}
		})
	}
	type expect struct {
		status Status
		reason string
		delta  int64
	}
	summed := expect{StatusNotApplicable, ReasonSummedFeeds, 0}
	for _, r := range []struct {
		event Event
		want  map[*testChannel]expect
	}{
		{levelsEvent("bulk", TriggerAPIBulkUpdate, 90, 97), map[*testChannel]expect{absolute: summed, realTime: {StatusPushed, "", 7}, rules: summed}},
		{receipt("receipt", 3), map[*testChannel]expect{absolute: {StatusNotApplicable, ReasonModeDoesNotPush, 0}, realTime: {StatusPushed, "", 3}, rules: summed}},
	} {
		before := e.levels()
		resp := e.postOne(r.event)
		for c, want := range r.want {
			got := channelResult(t, resp.Results[0], c.name)
			if got.Status != want.status || got.Reason != want.reason {
				t.Errorf("%s: %s reported %s/%s (%s), want %s/%s", r.event.ID, c.name, got.Status, got.Reason, got.Message, want.status, want.reason)
			}
			if level := e.level(c); level != before[c.name]+want.delta {
				t.Errorf("%s: %s shows %d, want %d", r.event.ID, c.name, level, before[c.name]+want.delta)
			}
		}
	}
}

// TestAllocationTargetsOfOneBatch: events of one SKU coalesced in a batch each get a result,
// with their own target, and the channel shows the last one's; the batch reads the items of
// all its SKUs in one call and writes them in one.
func TestAllocationTargetsOfOneBatch(t *testing.T) {
	s := &script{}
	e := newTestEnv(t, envOptions{config: Config{Connect: s.connect}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeSynchronizeWithFulfillmentChannel, "")
	e.setChannelAllocation(hook.name, bufferHalf)
	const other = "SKU-B"
	e.putItems(hook, other)

	events := []Event{levelsEvent("a1", TriggerAPIBulkUpdate, 60, 31), levelsEvent("a2", TriggerAPIBulkUpdate, 31, 41), levelsEvent("b1", TriggerAPIBulkUpdate, 0, 15)}
	events[2].SKU = other
	var lookups int64
	resp := e.batchBehindHeldTarget(s, hook, func() { lookups = e.svc.Stats().Lookups }, events...)

	for i, ev := range events {
		got := channelResult(t, resp.Results[i], hook.name)
		if want := shows(*ev.QuantityAfter); got.Status != StatusPushed || got.Quantity == nil || *got.Quantity != want {
			t.Errorf("%s reported %+v, want Pushed with quantity %d", ev.ID, got, want)
		}
	}
	if got, want := e.level(hook), shows(41); got != want {
		t.Errorf("%s shows %d, want the last event's %d", testSKU, got, want)
	}
	if got, want := e.levelOf(hook, other), shows(15); got != want {
		t.Errorf("%s shows %d, want %d", other, got, want)
	}
	if got := e.svc.Stats().Lookups - lookups; got != 1 {
		t.Errorf("the batch read the channel %d times, want once", got)
	}
	calls := s.recorded()
	if len(calls) != 2 || len(calls[1].changes) != 2 {
		t.Fatalf("calls %+v, want the held one and one with a change per SKU", calls)
	}
	for _, ch := range calls[1].changes {
		if ch.CompareQuantity == nil {
			t.Errorf("change %+v carries no compare quantity", ch)
		}
	}
}

// batchBehindHeldTarget holds the write of an allocation target of 60 for testSKU, sends
// events in one request while it is held, so they queue into one batch, calls held before,
// releases the held write and returns the answer to events.
func (e *testEnv) batchBehindHeldTarget(s *script, c *testChannel, held func(), events ...Event) Response {
	e.t.Helper()
	g := s.holdNextCall()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); e.post(levelsEvent("held", TriggerAPIBulkUpdate, 0, 60)) }()
	<-g.entered
	held()
	var resp Response
	wg.Add(1)
	go func() { defer wg.Done(); resp = e.postOne(events...) }()
	l := e.laneOf(e.t, c.name)
	waitFor(e.t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return len(l.queue) == len(events) })
	close(g.release)
	wg.Wait()
	return resp
}

// TestRefusedAllocationTargetIsIsolated: a call of several SKUs' targets that the channel
// refuses is split until the refused SKU is alone: only its event fails, the others apply.
func TestRefusedAllocationTargetIsIsolated(t *testing.T) {
	s := &script{refuseSKU: "SKU-C"}
	e := newTestEnv(t, envOptions{config: Config{Connect: s.connect}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeSynchronizeWithFulfillmentChannel, "")
	e.setChannelAllocation(hook.name, bufferHalf)
	skus := []string{"SKU-B", "SKU-C", "SKU-D"}
	e.putItems(hook, skus...)
	var events []Event
	for _, sku := range skus {
		ev := levelsEvent("to-"+sku, TriggerAPIBulkUpdate, 0, 25)
		ev.SKU = sku
		events = append(events, ev)
	}
	resp := e.batchBehindHeldTarget(s, hook, func() {}, events...)
	for i, sku := range skus {
		got := channelResult(t, resp.Results[i], hook.name)
		want, wantStatus, wantReason := shows(25), StatusPushed, ""
		if sku == s.refuseSKU {
			want, wantStatus, wantReason = initialQuantity, StatusFailed, ReasonChannelRefused
		}
		if got.Status != wantStatus || got.Reason != wantReason {
			t.Errorf("%s reported %+v, want %s/%s", sku, got, wantStatus, wantReason)
		}
		if level := e.levelOf(hook, sku); level != want {
			t.Errorf("%s shows %d, want %d", sku, level, want)
		}
	}
}

// TestAllocationTargetsAndDuplicateSKUs: under Skip an event for a SKU two items share is
// DuplicateSKU and writes nothing; under UpdateAll every item is brought to the target, each
// from what it showed.
func TestAllocationTargetsAndDuplicateSKUs(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	skip := e.addChannel("skip", v1alpha1.PlatformWebhook, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	all := e.addChannel("all", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsUpdateAll)
	for _, c := range []*testChannel{skip, all} {
		e.setChannelAllocation(c.name, bufferHalf)
		e.receiver.Put(c.location, channel.Item{ID: c.itemID + "-2", SKU: testSKU, Quantity: 60})
	}
	resp := e.postOne(levelsEvent("bulk", TriggerAPIBulkUpdate, 0, 25))
	if got := channelResult(t, resp.Results[0], skip.name); got.Status != StatusNotApplicable || got.Reason != ReasonDuplicateSKU {
		t.Errorf("skip reported %+v, want DuplicateSKU", got)
	}
	if got := channelResult(t, resp.Results[0], all.name); got.Status != StatusPushed {
		t.Errorf("all reported %+v, want Pushed", got)
	}
	for c, want := range map[*testChannel][2]int64{skip: {initialQuantity, 60}, all: {shows(25), shows(25)}} {
		for i, id := range []string{c.itemID, c.itemID + "-2"} {
			if item, _ := e.receiver.Item(c.location, id); item.Quantity != want[i] {
				t.Errorf("%s item %s shows %d, want %d", c.name, id, item.Quantity, want[i])
			}
		}
	}
}

// TestAllocationTargetsAreIdempotent: a retry of an applied event is replayed without a
// write; a write whose answer was lost is sent again by the relay with its compare
// quantities, and the channel, which applied it, answers from its idempotency record.
func TestAllocationTargetsAreIdempotent(t *testing.T) {
	e := newTestEnv(t, envOptions{config: Config{Connect: webhookConnectorOnce}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeSynchronizeWithFulfillmentChannel, "")
	e.setChannelAllocation(hook.name, bufferHalf)

	resp := e.postOne(levelsEvent("applied", TriggerAPIBulkUpdate, 0, 25))
	if got := channelResult(t, resp.Results[0], hook.name); got.Status != StatusPushed {
		t.Fatalf("first: %+v", got)
	}
	requests := e.receiver.Stats().Requests
	resp = e.postOne(levelsEvent("applied", TriggerAPIBulkUpdate, 0, 25))
	if got := channelResult(t, resp.Results[0], hook.name); got.Status != StatusPushed || !got.Replayed {
		t.Errorf("retry: %+v, want Pushed, replayed", got)
	}
	if got := e.receiver.Stats().Requests - requests; got != 0 {
		t.Errorf("the retry made %d requests to the channel, want none", got)
	}

	e.receiver.LoseAnswers(1)
	lost := levelsEvent("lost", TriggerAPIBulkUpdate, 25, 45)
	resp = e.postOne(lost)
	if got := channelResult(t, resp.Results[0], hook.name); got.Status != StatusPushed {
		t.Fatalf("lost answer: %+v, want Pushed after the relay's own re-send", got)
	}
	if got := e.level(hook); got != shows(45) {
		t.Fatalf("hook shows %d, want %d", got, shows(45))
	}
	resp = e.postOne(lost)
	if got := channelResult(t, resp.Results[0], hook.name); got.Status != StatusPushed || !got.Replayed {
		t.Errorf("retry of the lost answer: %+v, want Pushed, replayed", got)
	}
	if got := e.level(hook); got != shows(45) {
		t.Errorf("hook shows %d after the retry, want %d", got, shows(45))
	}
}

// TestAllocationTargetsFromKnownLevels: under allocation rules the writer starts from what it
// last read or wrote of an item; it reads only an item it does not know, or one that came
// back stale, and the channel still ends at each event's target.
func TestAllocationTargetsFromKnownLevels(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	shop := e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeSynchronizeWithFulfillmentChannel, "")
	e.setChannelAllocation(shop.name, bufferHalf)
	reads := func() int { return e.shop.Stats().Calls["productVariants"] }
	for i, level := range []int64{25, 41, 33} {
		before := reads()
		resp := e.postOne(levelsEvent(fmt.Sprintf("bulk-%d", i), TriggerAPIBulkUpdate, 0, level))
		if got := channelResult(t, resp.Results[0], shop.name); got.Status != StatusPushed {
			t.Fatalf("event %d: %+v, want Pushed", i, got)
		}
		if got := e.level(shop); got != shows(level) {
			t.Errorf("event %d: shop shows %d, want %d", i, got, shows(level))
		}
		wantReads := 0
		if i == 0 {
			wantReads = 1
		}
		if got := reads() - before; got != wantReads {
			t.Errorf("event %d: %d reads of the channel, want %d", i, got, wantReads)
		}
	}
	// An order on the channel moves the item: the known level is stale, so the item is read
	// again and the target still reached.
	e.shop.MakeStale(shop.itemID)
	before := reads()
	resp := e.postOne(levelsEvent("bulk-after-order", TriggerAPIBulkUpdate, 0, 51))
	if got := channelResult(t, resp.Results[0], shop.name); got.Status != StatusPushed {
		t.Fatalf("after an order: %+v, want Pushed", got)
	}
	if got := e.level(shop); got != shows(51) {
		t.Errorf("after an order: shop shows %d, want %d", got, shows(51))
	}
	if got := reads() - before; got != 1 {
		t.Errorf("after an order: %d reads, want 1", got)
	}
}
