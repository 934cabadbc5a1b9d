package relay

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// withLocations is a scope of one webhook channel connected to testWarehouse at n
// locations, of which the first suspended are suspended.
func withLocations(n, suspended int) *Scope {
	scope := &Scope{Channels: []v1alpha1.SalesChannel{{Spec: v1alpha1.SalesChannelSpec{
		Platform:  v1alpha1.PlatformWebhook,
		Inventory: v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeRealTimeAdjustment},
	}}}}
	scope.Channels[0].Name, scope.Channels[0].Namespace = "hook", testNamespace
	for i := range n {
		s := inventorySync(fmt.Sprintf("sync-%04d", i), "hook", testWarehouse, fmt.Sprintf("loc-%04d", i))
		if i < suspended {
			s.Spec.Suspend = new(bool)
			*s.Spec.Suspend = true
		}
		scope.Syncs = append(scope.Syncs, s)
	}
	return scope
}

func TestTheLocationsOneEventReachesAreCapped(t *testing.T) {
	cases := []struct {
		name      string
		locations int
		suspended int
		refused   bool
	}{
		{"at the cap", MaxLocationsPerEvent, 0, false},
		{"one past the cap", MaxLocationsPerEvent + 1, 0, true},
		{"past the cap with suspended locations, which are not written", MaxLocationsPerEvent + 10, 10, false},
		{"far past the cap", 4000, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scope, ev := withLocations(c.locations, c.suspended), new(receipt("e", 1))
			reason := scope.refusal(ev, planEvent(scope, ev, fakeInputs{}))
			if refused := reason != ""; refused != c.refused {
				t.Fatalf("refusal %q, want refused %v", reason, c.refused)
			}
			if c.refused && !strings.Contains(reason, fmt.Sprintf("reaches %d channel locations, more than the %d", c.locations-c.suspended, MaxLocationsPerEvent)) {
				t.Errorf("the reason %q does not give the count and the cap", reason)
			}
		})
	}
}

// An event past the cap is answered 400 with its reason, and nothing of it is recorded or
// written; an event of the same request within the cap is applied.
func TestAnEventPastTheLocationCapGets400AndIsNotRecorded(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	const crowded = "warehouse-crowded"
	for i := range MaxLocationsPerEvent + 1 {
		e.scope.Syncs = append(e.scope.Syncs, inventorySync(fmt.Sprintf("crowded-%04d", i), "hook", crowded, fmt.Sprintf("loc-crowded-%04d", i)))
	}
	e.dir.Set(e.scope)

	fanned := Event{ID: "fanned", Trigger: TriggerReceiveReceipt, SKU: testSKU, FulfillmentChannel: crowded, Increment: ptr(1)}
	status, resp, _ := e.post(fanned, receipt("ordinary", 2))
	if status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", status)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].Index != 0 || !strings.Contains(resp.Errors[0].Reason, "more than the") {
		t.Fatalf("errors %+v, want the fanned-out event refused with the cap in its reason", resp.Errors)
	}
	if len(resp.Results) != 1 || resp.Results[0].ID != "ordinary" {
		t.Fatalf("results %+v, want the ordinary event alone", resp.Results)
	}
	if got := e.level(hook); got != initialQuantity+2 {
		t.Errorf("hook shows %d, want the ordinary event applied (%d)", got, initialQuantity+2)
	}
	if _, found, err := e.svc.Outcome(context.Background(), "fanned"); err != nil || found {
		t.Errorf("the ledger holds the refused event (found %v, err %v)", found, err)
	}
}
