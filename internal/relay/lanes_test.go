package relay

import (
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
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
