package shopify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// A quantity that does not fit Shopify's 32-bit Int makes Shopify refuse the whole call: the
// Write is a definite refusal, nothing is applied, and the valid change sent alone applies.
func TestWriteIsRefusedWhenAQuantityDoesNotFitShopifysInt(t *testing.T) {
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyIncremental, v1alpha1.StrategyAbsolute} {
		shop := newFakeShop(t, v1alpha1.PlanStandard)
		valid, huge := shop.variant("VALID", 5), shop.variant("HUGE", 5)
		conn := shop.connector(t, nil)
		changes := []channel.Change{{ItemID: valid, SKU: "VALID", Quantity: 3}, {ItemID: huge, SKU: "HUGE", Quantity: 3_000_000_000}}

		results, err := conn.Write(context.Background(), strategy, "k-"+string(strategy), changes)
		if !channel.IsRefused(err) {
			t.Fatalf("%s: Write = %+v, %v; want a refusal", strategy, results, err)
		}
		if got := shop.Available(valid, shop.location); got != 5 {
			t.Errorf("%s: the valid item shows %d after a refused call, want 5", strategy, got)
		}
		results, err = conn.Write(context.Background(), strategy, "k2-"+string(strategy), changes[:1])
		if err != nil || results[0].Outcome != channel.Applied {
			t.Fatalf("%s: the valid change alone: %+v, %v", strategy, results, err)
		}
	}
}

func TestWriteIsRefusedOnAClientErrorStatus(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	item := shop.variant("A", 5)
	conn := shop.connector(t, func(cfg *Config) { cfg.Token = "shpat_revoked" })
	_, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "k", []channel.Change{{ItemID: item, Quantity: 1}})
	if !channel.IsRefused(err) {
		t.Fatalf("Write with a revoked token = %v, want a refusal", err)
	}
	if containsToken(err.Error()) {
		t.Errorf("error %q shows the token", err)
	}
}

// Without an answer the outcome is unknown: the error is not a refusal.
func TestWriteOutcomeIsUnknownWithoutAnAnswer(t *testing.T) {
	change := func(shop *fakeShop) []channel.Change {
		return []channel.Change{{ItemID: shop.variant("A", 5), Quantity: 1}}
	}
	t.Run("5xx after the retries", func(t *testing.T) {
		shop := newFakeShop(t, v1alpha1.PlanStandard)
		conn := shop.connector(t, func(cfg *Config) { cfg.MaxAttempts = 2 })
		shop.FailNext(2, http.StatusServiceUnavailable)
		if _, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "k", change(shop)); err == nil || channel.IsRefused(err) {
			t.Fatalf("Write = %v, want an unknown outcome", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		shop := newFakeShop(t, v1alpha1.PlanStandard)
		conn := shop.connector(t, func(cfg *Config) { cfg.MaxAttempts, cfg.RequestTimeout = 1, 20*time.Millisecond })
		shop.SetLatency(300 * time.Millisecond) // well beyond RequestTimeout, short for the server to finish
		if _, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "k", change(shop)); err == nil || channel.IsRefused(err) {
			t.Fatalf("Write = %v, want an unknown outcome", err)
		}
	})
	t.Run("connection reset", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		}))
		defer srv.Close()
		conn, err := New(Config{BaseURL: srv.URL, Token: testToken, LocationID: "1", MaxAttempts: 2,
			Sleep: newFakeClock().Sleep})
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.Write(context.Background(), v1alpha1.StrategyIncremental, "k", []channel.Change{{ItemID: "gid://shopify/InventoryItem/1", Quantity: 1}})
		if err == nil || channel.IsRefused(err) {
			t.Fatalf("Write = %v, want an unknown outcome", err)
		}
	})
	t.Run("a call with the same key still running", func(t *testing.T) {
		s := newScriptedShopify(t, func(received) reply {
			return answered(userErrorsData("inventoryAdjustQuantities", userErr("IDEMPOTENCY_CONCURRENT_REQUEST")), 10, 990)
		})
		conn := s.connector(newFakeClock(), func(cfg *Config) { cfg.MaxAttempts = 2 })
		_, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "k", []channel.Change{{ItemID: "gid://shopify/InventoryItem/1", Quantity: 1}})
		if err == nil || channel.IsRefused(err) {
			t.Fatalf("Write = %v, want an unknown outcome", err)
		}
	})
	t.Run("Shopify's internal error", func(t *testing.T) {
		s := newScriptedShopify(t, func(received) reply {
			return reply{body: map[string]any{"errors": []any{map[string]any{
				"message": "Internal error. Looks like something went wrong on our end.", "extensions": map[string]any{"code": "INTERNAL_SERVER_ERROR"}}}}}
		})
		conn := s.connector(newFakeClock(), nil)
		_, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "k", []channel.Change{{ItemID: "gid://shopify/InventoryItem/1", Quantity: 1}})
		if err == nil || channel.IsRefused(err) {
			t.Fatalf("Write = %v, want an unknown outcome", err)
		}
	})
}

// A later part of a split Write refused as a whole, after an earlier part applied, is
// reported per change: the Write as a whole was not refused.
func TestWriteRefusedAfterAnAppliedPartReportsItsChangesFailed(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	conn := shop.connector(t, nil)
	changes := make([]channel.Change, maxChanges+1)
	for i := range changes {
		changes[i] = channel.Change{ItemID: shop.variant(fmt.Sprintf("S%d", i), 0), Quantity: 1}
	}
	changes[maxChanges].Quantity = 3_000_000_000
	results, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "k", changes)
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Outcome != channel.Applied || results[maxChanges].Outcome != channel.Failed || results[maxChanges].Reason == "" {
		t.Fatalf("first %+v, last %+v", results[0], results[maxChanges])
	}
}
