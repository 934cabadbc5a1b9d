package relay

import (
	"net/http"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// TestShopifyWritesNameTheEventAndTheQuantity: every relay write to Shopify names the event
// it carries as referenceDocumentUri, and writes the quantity the SalesChannel names.
func TestShopifyWritesNameTheEventAndTheQuantity(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	if status, _, _ := e.post(receipt("e 1", 1)); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	e.scope.Channels[0].Spec.Inventory.QuantityName = v1alpha1.QuantityOnHand
	e.dir.Set(e.scope)
	if status, _, _ := e.post(receipt("e2", 2)); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	h := e.shop.History()
	if len(h) != 2 {
		t.Fatalf("history %+v, want two writes", h)
	}
	if h[0].ReferenceDocumentURI != "gid://inventory-operator/InventoryEvent/e%201" || h[0].QuantityName != "available" {
		t.Errorf("first write %+v", h[0])
	}
	if h[1].ReferenceDocumentURI != "gid://inventory-operator/InventoryEvent/e2" || h[1].QuantityName != "on_hand" {
		t.Errorf("second write %+v", h[1])
	}
}
