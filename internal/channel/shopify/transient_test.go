package shopify

import (
	"context"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

// Shopify asks to try again after ADJUST_QUANTITIES_FAILED, SERVICE_UNAVAILABLE and
// IDEMPOTENCY_CONCURRENT_REQUEST: the write is sent again, after a wait, under the same key,
// and applies once.
func TestTransientUserErrorsAreRetriedUnderTheSameKey(t *testing.T) {
	for _, code := range []string{shopifytest.AdjustQuantitiesFailed, shopifytest.ServiceUnavailable, shopifytest.ConcurrentRequest} {
		t.Run(code, func(t *testing.T) {
			shop := newFakeShop(t, v1alpha1.PlanStandard)
			item := shop.variant("A", 10)
			shop.AnswerTransient(2, code)
			conn := shop.connector(t, func(c *Config) { c.MaxAttempts = 8 })
			results, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "run-1", []channel.Change{{ItemID: item, Quantity: 3, CompareQuantity: ptr(int64(10))}})
			if err != nil || results[0].Outcome != channel.Applied {
				t.Fatalf("Write: %v %+v, want Applied", err, results)
			}
			if got := shop.Available(item, shop.location); got != 13 {
				t.Fatalf("available %d, want 13: applied once", got)
			}
			if len(shop.clock.Sleeps()) < 2 {
				t.Fatalf("slept %v: each retry waits", shop.clock.Sleeps())
			}
		})
	}
}

// When Shopify keeps asking to try again, the outcome is unknown: not a refusal, which would
// drop the changes, and nothing is applied.
func TestATransientUserErrorThatPersistsIsAnUnknownOutcome(t *testing.T) {
	for _, code := range []string{shopifytest.AdjustQuantitiesFailed, shopifytest.ServiceUnavailable, shopifytest.ConcurrentRequest} {
		t.Run(code, func(t *testing.T) {
			shop := newFakeShop(t, v1alpha1.PlanStandard)
			item := shop.variant("A", 10)
			shop.AnswerTransient(1000, code)
			conn := shop.connector(t, func(c *Config) { c.MaxAttempts = 4 })
			_, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "run-1", []channel.Change{{ItemID: item, Quantity: 3}})
			if err == nil || channel.IsRefused(err) {
				t.Fatalf("Write = %v, want an unknown outcome", err)
			}
			if !strings.Contains(err.Error(), "IDEMPOTENCY_") && !strings.Contains(err.Error(), code) {
				t.Errorf("error %q names neither %s nor the key's state", err, code)
			}
			if got := shop.Available(item, shop.location); got != 10 {
				t.Fatalf("available %d, want 10", got)
			}
		})
	}
}

// A refusal for one entry, such as NON_MUTABLE_INVENTORY_ITEM, is no transient error: that
// change fails and the others are written.
func TestANonMutableItemFailsItsChangeOnly(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	a, bundle := shop.variant("A", 1), shop.variant("BUNDLE", 1)
	shop.SetNonMutable(bundle)
	conn := shop.connector(t, nil)
	results, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "run-1", []channel.Change{
		{ItemID: a, Quantity: 5, CompareQuantity: ptr(int64(1))}, {ItemID: bundle, Quantity: 5, CompareQuantity: ptr(int64(1))},
	})
	if err != nil || results[0].Outcome != channel.Applied || results[1].Outcome != channel.Failed || !strings.Contains(results[1].Reason, "NON_MUTABLE_INVENTORY_ITEM") {
		t.Fatalf("Write: %v %+v", err, results)
	}
	if shop.Available(a, shop.location) != 5 || shop.Available(bundle, shop.location) != 1 {
		t.Fatalf("available %d and %d, want 5 and 1", shop.Available(a, shop.location), shop.Available(bundle, shop.location))
	}
}
