package relay

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// cell is what one channel receives for one event: nothing, an increment, or an absolute
// value.
type cell int

const (
	nothing cell = iota
	increment
	absolute
)

// TestTriggerTableThroughTheAPI sends every trigger of the table through the HTTP API to a
// Shopify channel and a webhook channel in each mode (and one whose duplicateSKUs UpdateAll
// forces SynchronizeWithFulfillmentChannel), and checks exactly what each channel shows
// afterwards.
func TestTriggerTableThroughTheAPI(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	modes := []v1alpha1.InventoryMode{v1alpha1.ModeDoNotSynchronize, v1alpha1.ModeRealTimeAdjustment, v1alpha1.ModeSynchronizeWithFulfillmentChannel}
	// column is the table's column for each channel: 0 DoNotSynchronize, 1 RealTime, 2 Sync.
	column := map[string]int{}
	for i, mode := range modes {
		for _, platform := range []v1alpha1.Platform{v1alpha1.PlatformShopify, v1alpha1.PlatformWebhook} {
			c := e.addChannel(fmt.Sprintf("%s-%d", platform, i), platform, mode, v1alpha1.DuplicateSKUsSkip)
			column[c.name] = i
		}
	}
	for _, platform := range []v1alpha1.Platform{v1alpha1.PlatformShopify, v1alpha1.PlatformWebhook} {
		c := e.addChannel(string(platform)+"-updateall", platform, v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsUpdateAll)
		column[c.name] = 2
	}

	// The trigger table of docs/design.md for the relay's triggers; AllocateOrder is split by
	// where the order came from.
	type row struct {
		name  string
		event func(id string, origin string) Event
		cells [3]cell
	}
	withIncrement := func(trigger EventTrigger, inc int64) func(string, string) Event {
		return func(id, _ string) Event {
			return Event{ID: id, Trigger: trigger, SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(inc)}
		}
	}
	withLevels := func(trigger EventTrigger, before, after int64) func(string, string) Event {
		return func(id, _ string) Event {
			return Event{ID: id, Trigger: trigger, SKU: testSKU, FulfillmentChannel: testWarehouse, QuantityBefore: ptr(before), QuantityAfter: ptr(after)}
		}
	}
	rows := []row{
		{"ImportInventoryLevel", withLevels(TriggerImportInventoryLevel, 40, 43), [3]cell{nothing, increment, nothing}},
		{"AdjustInventoryManually", withIncrement(TriggerAdjustInventoryManually, -5), [3]cell{nothing, increment, nothing}},
		{"ReceiveReceipt", withIncrement(TriggerReceiveReceipt, 12), [3]cell{nothing, increment, nothing}},
		{"AllocateOrder", func(id, origin string) Event {
			return Event{ID: id, Trigger: TriggerAllocateOrder, SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(-2), SalesChannel: origin}
		}, [3]cell{nothing, increment, nothing}}, // from another channel; the origin gets nothing
		{"CancelShipment", withIncrement(TriggerCancelShipment, 4), [3]cell{nothing, increment, nothing}},
		{"APIBulkUpdate", withLevels(TriggerAPIBulkUpdate, 90, 97), [3]cell{nothing, increment, absolute}},
		{"APISingleRowUpdate", withLevels(TriggerAPISingleRowUpdate, 97, 96), [3]cell{nothing, increment, nothing}},
	}
	// other-store is a SalesChannel of the namespace outside the relay's scope.
	e.scope.OtherChannels = []string{"other-store"}
	e.dir.Set(e.scope)
	origins := map[string][]string{"AllocateOrder": {"other-store"}}
	for name := range column {
		origins["AllocateOrder"] = append(origins["AllocateOrder"], name)
	}

	n := 0
	for _, r := range rows {
		for _, origin := range append([]string{""}, origins[r.name]...)[min(1, len(origins[r.name])):] {
			n++
			ev := r.event(fmt.Sprintf("evt-%d", n), origin)
			before := e.levels()
			status, resp, _ := e.post(ev)
			if status != http.StatusOK || len(resp.Results) != 1 {
				t.Fatalf("%s: status %d, answer %+v", r.name, status, resp)
			}
			after := e.levels()
			for chName, col := range column {
				want := before[chName]
				wantStatus := StatusNotApplicable
				switch c := r.cells[col]; {
				case chName == origin:
					// An order allocated from this channel never pushes to it.
				case c == increment:
					want += ev.Delta()
					wantStatus = StatusPushed
				case c == absolute:
					want = *ev.QuantityAfter
					wantStatus = StatusPushed
				}
				if after[chName] != want {
					t.Errorf("%s (origin %q): channel %s shows %d, want %d", r.name, origin, chName, after[chName], want)
				}
				if got := channelResult(t, resp.Results[0], chName); got.Status != wantStatus {
					t.Errorf("%s (origin %q): channel %s reported %s (%s), want %s", r.name, origin, chName, got.Status, got.Reason, wantStatus)
				} else if chName == origin && got.Reason != ReasonSameChannelOrder {
					t.Errorf("%s: origin channel %s reason %q, want %s", r.name, chName, got.Reason, ReasonSameChannelOrder)
				}
			}
		}
	}
	if got := e.receiver.Stats().Rejected; got != 0 {
		t.Errorf("the webhook receiver rejected %d requests", got)
	}
}
