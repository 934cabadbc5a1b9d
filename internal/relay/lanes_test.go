package relay

import (
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel/shopify"
)

// lanesHeld is how many lanes the service holds, running or draining: a lane is held from
// its lease's acquisition until its worker ends.
func (e *testEnv) lanesHeld() (all, current int) {
	e.svc.mu.Lock()
	defer e.svc.mu.Unlock()
	return len(e.svc.lanes), len(e.svc.lanes)
}

// TestReplacedLaneIsReleased: a channel whose connection changes gets a new connector in
// its lane, and the old connector, with its item cache, is let go.
func TestReplacedLaneIsReleased(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	for n, plan := range []v1alpha1.Plan{v1alpha1.PlanStandard, v1alpha1.PlanPlus, v1alpha1.PlanAdvanced} {
		e.scope.Channels[0].Spec.Connection.Plan = plan
		e.dir.Set(e.scope)
		if _, resp, _ := e.post(receipt(string(plan), 1)); channelResult(t, resp.Results[0], "hook").Status != StatusPushed {
			t.Fatalf("event %d: %+v", n, resp.Results)
		}
	}
	waitFor(t, func() bool { all, current := e.lanesHeld(); return all == 1 && current == 1 })
	if got := e.level(hook); got != initialQuantity+3 {
		t.Errorf("hook shows %d, want %d", got, initialQuantity+3)
	}
}

// TestIdleLaneIsReleased: a lane without events retires itself; the next event gets a new
// one.
func TestIdleLaneIsReleased(t *testing.T) {
	e := newTestEnv(t, envOptions{config: Config{LaneIdleTimeout: time.Millisecond}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	for n := range 2 {
		if _, resp, _ := e.post(receipt(string(rune('a'+n)), 1)); channelResult(t, resp.Results[0], "hook").Status != StatusPushed {
			t.Fatalf("event %d: %+v", n, resp.Results)
		}
		waitFor(t, func() bool { all, current := e.lanesHeld(); return all == 0 && current == 0 })
	}
	if got := e.level(hook); got != initialQuantity+2 {
		t.Errorf("hook shows %d, want %d", got, initialQuantity+2)
	}
}

// TestLocationsOfOneStoreShareItsBucket: Shopify keeps one rate-limit bucket per store and
// app, so the connectors of two locations of one store pace with one model of it; another
// store, or another app's credential, has its own.
func TestLocationsOfOneStoreShareItsBucket(t *testing.T) {
	connect := DefaultConnectorFactory(nil)
	ch := benchChannel("https://eu-store.myshopify.com")
	build := func(ch v1alpha1.SalesChannel, location, credential string) *shopify.Connector {
		conn, err := connect(&ch, location, []byte(credential))
		if err != nil {
			t.Fatal(err)
		}
		return conn.(*shopify.Connector)
	}
	a, b := build(ch, "gid://shopify/Location/1", "token"), build(ch, "gid://shopify/Location/2", "token")
	if !shopify.SharesBucket(a, b) {
		t.Error("two locations of one store pace with two buckets")
	}
	if shopify.SharesBucket(a, build(ch, "gid://shopify/Location/1", "another-app")) {
		t.Error("another app's credential shares the first app's bucket")
	}
	other := benchChannel("https://us-store.myshopify.com")
	if shopify.SharesBucket(a, build(other, "gid://shopify/Location/1", "token")) {
		t.Error("another store shares the first store's bucket")
	}
}
