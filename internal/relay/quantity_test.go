package relay

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/ledger"
)

// TestOutOfRangeIncrementDoesNotHoldBackItsBatch: an increment of 3,000,000,000 sent with a
// valid event is a 400 for that event alone; the valid one is applied.
func TestOutOfRangeIncrementDoesNotHoldBackItsBatch(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	shop := e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	status, resp, _ := e.post(receipt("huge", 3_000_000_000), receipt("valid", 2))
	if status != http.StatusBadRequest || len(resp.Errors) != 1 || resp.Errors[0].Index != 0 {
		t.Fatalf("status %d, answer %+v; want 400 with an error for index 0", status, resp)
	}
	if len(resp.Results) != 1 || resp.Results[0].ID != "valid" {
		t.Fatalf("results %+v, want the valid event's", resp.Results)
	}
	for _, c := range []*testChannel{shop, hook} {
		if got := channelResult(t, resp.Results[0], c.name); got.Status != StatusPushed {
			t.Errorf("valid event on %s: %+v", c.name, got)
		}
		if got := e.level(c); got != initialQuantity+2 {
			t.Errorf("%s shows %d, want %d", c.name, got, initialQuantity+2)
		}
	}
}

// TestCoalescedIncrementsStayInRange: increments of one item whose sum would leave the range
// are written in separate calls, and every event is applied.
func TestCoalescedIncrementsStayInRange(t *testing.T) {
	s := &script{}
	e := newTestEnv(t, envOptions{config: Config{Connect: s.connect}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	status, resp := e.queueBehindHeldCall(s, "hook", receipt("big-1", 900_000_000), receipt("big-2", 900_000_000), receipt("small", -5))
	if status != http.StatusOK {
		t.Fatalf("status %d, answer %+v", status, resp)
	}
	for _, er := range resp.Results {
		if got := channelResult(t, er, "hook"); got.Status != StatusPushed {
			t.Errorf("%s: %+v", er.ID, got)
		}
	}
	calls := s.recorded()[1:]
	if len(calls) != 2 {
		t.Errorf("%d calls, want 2", len(calls))
	}
	for _, c := range calls {
		for _, ch := range c.changes {
			if channel.CheckQuantity("change", ch.Quantity) != nil {
				t.Errorf("a call carried %d", ch.Quantity)
			}
		}
	}
	if got, want := e.level(hook), int64(initialQuantity+1+1_800_000_000-5); got != want {
		t.Errorf("hook shows %d, want %d", got, want)
	}
}

func TestCoalesce(t *testing.T) {
	const limit = channel.MaxQuantity
	ev := func(id string, q int64, items ...string) routed {
		return routed{work: &work{key: id, claim: ledger.Claim{EventID: id}, sku: "S-" + id, quantity: q}, items: items}
	}
	// at is ev for items at a location of a store's writer.
	at := func(location, id string, q int64, items ...string) routed {
		r := ev(id, q, items...)
		r.work.location = location
		return r
	}
	// shape renders calls as their changes, item=quantity, one call per element.
	shape := func(calls []*call) []string {
		var out []string
		for _, c := range calls {
			s := ""
			for _, ch := range c.changes {
				if ch.LocationID != "" {
					s += fmt.Sprintf("%s@%s=%d ", ch.ItemID, ch.LocationID, ch.Quantity)
				} else {
					s += fmt.Sprintf("%s=%d ", ch.ItemID, ch.Quantity)
				}
			}
			out = append(out, s)
		}
		return out
	}
	tests := []struct {
		name     string
		strategy v1alpha1.Strategy
		maxBatch int
		events   []routed
		want     []string
	}{
		{"increments of one item add up", v1alpha1.StrategyIncremental, 10,
			[]routed{ev("a", 3, "x"), ev("b", -1, "x"), ev("c", 2, "y")}, []string{"x=2 y=2 "}},
		{"absolute values keep the last", v1alpha1.StrategyAbsolute, 10,
			[]routed{ev("a", 3, "x"), ev("b", 7, "x")}, []string{"x=7 "}},
		{"a sum beyond the bound goes to another call", v1alpha1.StrategyIncremental, 10,
			[]routed{ev("a", limit, "x"), ev("b", 1, "x"), ev("c", -limit, "x"), ev("d", 1, "y")}, []string{"x=0 y=1 ", "x=1 "}},
		{"a sum at the bound stays", v1alpha1.StrategyIncremental, 10,
			[]routed{ev("a", limit-1, "x"), ev("b", 1, "x")}, []string{"x=1000000000 "}},
		{"calls take at most maxBatch changes", v1alpha1.StrategyIncremental, 2,
			[]routed{ev("a", 1, "x", "y"), ev("b", 1, "z"), ev("c", 1, "x")}, []string{"x=2 y=1 ", "z=1 "}},
		{"absolute values never go back to an earlier call", v1alpha1.StrategyAbsolute, 2,
			[]routed{ev("a", 1, "x", "y"), ev("b", 2, "z"), ev("c", 3, "x")}, []string{"x=1 y=1 ", "z=2 x=3 "}},
		{"an event alone may fill a call", v1alpha1.StrategyIncremental, 2,
			[]routed{ev("a", 1, "x", "y")}, []string{"x=1 y=1 "}},
		{"one item at two locations is two changes of one call", v1alpha1.StrategyIncremental, 10,
			[]routed{at("L1", "a", 1, "x"), at("L2", "b", 2, "x"), at("L1", "c", 3, "x")}, []string{"x@L1=4 x@L2=2 "}},
		{"a call's changes count every location", v1alpha1.StrategyIncremental, 2,
			[]routed{at("L1", "a", 1, "x"), at("L2", "b", 1, "x"), at("L3", "c", 1, "x")}, []string{"x@L1=1 x@L2=1 ", "x@L3=1 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := coalesce(tt.strategy, tt.events, tt.maxBatch)
			if got := shape(calls); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("calls %q, want %q", got, tt.want)
			}
			placed := 0
			for _, c := range calls {
				placed += len(c.events)
			}
			if placed != len(tt.events) {
				t.Errorf("%d events placed, want %d", placed, len(tt.events))
			}
		})
	}
}
