package relay

import (
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// TestOneCallForTheLocationsOfAStore: an event that reaches two locations of one Shopify
// store is written in one call that names both, by the store's one writer; each location
// gets its result.
func TestOneCallForTheLocationsOfAStore(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	shop := e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	second := e.shop.AddLocation("shop-2")
	e.shop.SetAvailable(shop.itemID, second, initialQuantity)
	e.scope.Syncs = append(e.scope.Syncs, inventorySync("shop-from-berlin-2", shop.name, testWarehouse, second))
	e.dir.Set(e.scope)

	resp := e.postOne(receipt("rcpt-1", 3))
	if n := len(resp.Results[0].Channels); n != 2 {
		t.Fatalf("%d results, want one per location: %+v", n, resp.Results[0].Channels)
	}
	for _, r := range resp.Results[0].Channels {
		if r.Status != StatusPushed {
			t.Errorf("location %s: %+v, want Pushed", r.LocationID, r)
		}
	}
	for _, location := range []string{shop.location, second} {
		if got := e.shop.Available(shop.itemID, location); got != initialQuantity+3 {
			t.Errorf("location %s shows %d, want %d", location, got, initialQuantity+3)
		}
	}
	st := e.shop.Stats()
	if calls := st.Calls["inventoryAdjustQuantities"]; calls != 1 || st.ItemsWritten != 2 {
		t.Errorf("%d calls wrote %d quantities, want one call of two", calls, st.ItemsWritten)
	}

	// Sent again, both are answered from the ledger and nothing is written.
	resp = e.postOne(receipt("rcpt-1", 3))
	for _, r := range resp.Results[0].Channels {
		if r.Status != StatusPushed || !r.Replayed {
			t.Errorf("retry at %s: %+v, want Pushed and replayed", r.LocationID, r)
		}
	}
	if calls := e.shop.Stats().Calls["inventoryAdjustQuantities"]; calls != 1 {
		t.Errorf("%d calls after the retry, want 1", calls)
	}
}
