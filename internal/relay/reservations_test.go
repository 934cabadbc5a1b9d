package relay

import (
	"net/http"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/reservation"
)

// Accepted events that take stock out are kept as reservations, once each, from when they
// occurred; a sync pod reads them from the relay with a token.
func TestAcceptedStockOutIsReservedAndServed(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip)
	e.addChannel("b2b", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip)
	t0 := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	t1 := t0.Add(10 * time.Minute)
	order := Event{ID: "order-1", Trigger: TriggerAllocateOrder, SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(-2), SalesChannel: "b2b", OccurredAt: &t1}
	own := Event{ID: "order-2", Trigger: TriggerAllocateOrder, SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(-1), SalesChannel: "shop"}
	receipt := Event{ID: "receipt-1", Trigger: TriggerReceiveReceipt, SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(5)}
	for _, batch := range [][]Event{{order, own, receipt}, {order}} { // the second is a retry
		if status, resp, _ := e.post(batch...); status != http.StatusOK || len(resp.Errors) > 0 {
			t.Fatalf("post: %d %+v", status, resp)
		}
	}

	src := reservation.RelaySource{URL: e.api.URL, Token: testToken, FulfillmentChannel: testWarehouse, SalesChannel: "shop"}
	tally, err := src.Reserved(t.Context(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := tally.Counted[testSKU]; got != 3 {
		t.Errorf("reserved after T0: %d, want 3 (the order of 2 once, the shop's own of 1; not the receipt)", got)
	}
	if got := tally.Own[testSKU]; got != 1 {
		t.Errorf("the shop's own orders: %d, want 1", got)
	}
	// With on_hand, the shop's own order is Shopify's committed stock: not counted again.
	src.OnHand = true
	if tally, err = src.Reserved(t.Context(), t0); err != nil || tally.Counted[testSKU] != 2 {
		t.Errorf("on hand: %v (%v), want 2", tally.Counted, err)
	}
	// A feed whose snapshot is after the order counts it already.
	src.OnHand = false
	if tally, err = src.Reserved(t.Context(), t1); err != nil || tally.Counted[testSKU] != 1 {
		t.Errorf("after T1: %v (%v), want only the shop's order, accepted later", tally.Counted, err)
	}

	src.Token = "wrong-token"
	if _, err := src.Reserved(t.Context(), t0); err == nil {
		t.Fatal("read the reservations with a wrong token")
	}
}
