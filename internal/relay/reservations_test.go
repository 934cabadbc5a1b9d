package relay

import (
	"errors"
	"fmt"
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

// A fulfillment channel's reservations are dropped once every reader has read a newer feed;
// a read of an older feed is then refused, not answered short. A holder of another token
// cannot note a newer snapshot for a reader, so cannot drop what that reader still counts.
func TestReservationsEveryReaderCountsAreDroppedAndAnOlderReadIsRefused(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip)
	t0 := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	for i, m := range []int{10, 20} {
		occurred := at(m)
		ev := Event{ID: fmt.Sprintf("order-%d", i), Trigger: TriggerAllocateOrder, SKU: testSKU, FulfillmentChannel: testWarehouse,
			Increment: ptr(-1), SalesChannel: "shop", OccurredAt: &occurred}
		if status, resp, _ := e.post(ev); status != http.StatusOK || len(resp.Errors) > 0 {
			t.Fatalf("post: %d %+v", status, resp)
		}
	}
	read := func(token, reader string, since time.Time) (int64, error) {
		src := reservation.RelaySource{URL: e.api.URL, Token: token, FulfillmentChannel: testWarehouse, SalesChannel: "shop", Reader: reader}
		tally, err := src.Reserved(t.Context(), since)
		return tally.Counted[testSKU], err
	}
	mustRead := func(token, reader string, since time.Time, want int64) {
		t.Helper()
		if got, err := read(token, reader, since); err != nil || got != want {
			t.Fatalf("%s after %s: %d (%v), want %d", reader, since.Format(time.TimeOnly), got, err, want)
		}
	}

	mustRead(testToken, "retail/berlin", at(0), 2)
	mustRead(testToken, "retail/berlin-b2b", at(15), 1)
	// Another token's reader with a newer feed drops nothing the first reader counts.
	mustRead(otherTestToken, "retail/berlin", at(30), 0)
	mustRead(testToken, "", at(0), 2)

	// The oldest reader reads a newer feed: the order every reader counts is dropped.
	mustRead(testToken, "retail/berlin", at(15), 1)
	if _, err := read(testToken, "", at(0)); !errors.Is(err, reservation.ErrDropped) {
		t.Fatalf("a read of a feed older than what was dropped: %v, want ErrDropped", err)
	}
	// The reader itself, with an older feed again, is refused too.
	if _, err := read(testToken, "retail/berlin", at(5)); !errors.Is(err, reservation.ErrDropped) {
		t.Fatalf("an older read of a reader: %v, want ErrDropped", err)
	}
	mustRead(testToken, "", at(15), 1)
	mustRead(testToken, "retail/berlin", at(25), 0)
}
