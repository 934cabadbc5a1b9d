package shopify

import (
	"context"
	"net/http"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

func stockAndWrite(t *testing.T, conn *Connector, item string) ([]channel.ChangeResult, error) {
	t.Helper()
	return conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "run-1", []channel.Change{
		{ItemID: item, Quantity: 7, CompareQuantity: ptr(int64(0)), Stock: true},
	})
}

// inventoryActivate's errors have no code: an activation whose key failed inside Shopify is
// recognised by its text and sent again under the next attempt key.
func TestAnActivationWhoseKeyFailedMovesToTheNextAttemptKey(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	_, item := shop.AddVariant("LOOSE")
	shop.FailKeyedRequests(1, http.StatusInternalServerError)
	results, err := stockAndWrite(t, shop.connector(t, nil), item)
	if err != nil || results[0].Outcome != channel.Applied {
		t.Fatalf("Write: %v %+v, want Applied", err, results)
	}
	if !shop.Stocked(item, shop.location) || shop.Available(item, shop.location) != 7 {
		t.Fatalf("stocked %v with %d", shop.Stocked(item, shop.location), shop.Available(item, shop.location))
	}
}

// An activation Shopify says is still in progress is sent again, after a wait, under the
// same key.
func TestAnActivationStillInProgressIsRetried(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	_, item := shop.AddVariant("LOOSE")
	shop.AnswerTransient(2, shopifytest.ConcurrentRequest)
	results, err := stockAndWrite(t, shop.connector(t, nil), item)
	if err != nil || results[0].Outcome != channel.Applied {
		t.Fatalf("Write: %v %+v, want Applied", err, results)
	}
	if got := shop.Stats().Calls["inventoryActivate"]; got != 3 {
		t.Fatalf("%d inventoryActivate calls, want 3", got)
	}
	if len(shop.clock.Sleeps()) < 2 {
		t.Fatalf("slept %v: each retry waits", shop.clock.Sleeps())
	}
}

// An activation error that names no argument and is none of the known texts says nothing
// about whether the item was stocked: the outcome is unknown, not a refused change.
func TestAnUnrecognisedActivationErrorIsAnUnknownOutcome(t *testing.T) {
	s := newScriptedShopify(t, func(r received) reply {
		return answered(userErrorsData("inventoryActivate", map[string]any{"field": nil, "message": "Something went wrong."}), 10, 990)
	})
	conn := s.connector(newFakeClock(), nil)
	_, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "run-1", []channel.Change{
		{ItemID: "gid://shopify/InventoryItem/1", Quantity: 7, CompareQuantity: ptr(int64(0)), Stock: true},
	})
	if err == nil || channel.IsRefused(err) {
		t.Fatalf("Write = %v, want an unknown outcome", err)
	}
	for _, r := range s.received() {
		if r.Operation != stockItem.name {
			t.Fatalf("sent %s after an unknown activation", r.Operation)
		}
	}
}

// An activation refused for its item (the error names the argument) fails that change only.
func TestAnActivationRefusedForTheItemFailsTheChange(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	results, err := stockAndWrite(t, shop.connector(t, nil), "gid://shopify/InventoryItem/999999")
	if err != nil || results[0].Outcome != channel.Failed {
		t.Fatalf("Write: %v %+v, want the change Failed", err, results)
	}
}

func TestActivateErrorKind(t *testing.T) {
	cases := []struct {
		errs []userError
		want activateError
	}{
		{[]userError{{Message: "A previous request with this idempotency key failed. Retry with a new idempotency key."}}, activatePreviousAttemptFailed},
		{[]userError{{Message: "This request is currently in progress, please try again."}}, activateConcurrentRequest},
		{[]userError{{Message: "This request is currently inprogress, please try again."}}, activateConcurrentRequest},
		{[]userError{{Code: "IDEMPOTENCY_CONCURRENT_REQUEST", Message: "x"}}, activateConcurrentRequest},
		{[]userError{{Field: []string{"inventoryItemId"}, Message: "Inventory item does not exist"}}, activateRefused},
		{[]userError{{Message: "The same idempotency key cannot be used with different operation parameters."}}, activateUnknown},
		{[]userError{{Message: "Something went wrong."}}, activateUnknown},
	}
	for _, c := range cases {
		if got := activateErrorKind(c.errs); got != c.want {
			t.Errorf("activateErrorKind(%+v) = %d, want %d", c.errs, got, c.want)
		}
	}
}
