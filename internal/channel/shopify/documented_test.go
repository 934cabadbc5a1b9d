package shopify

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

// Tests of the Shopify behaviours docs/shopify.md lists, against the fake shop.

func TestAFailedKeyIsRetriedUnderTheNextAttemptKey(t *testing.T) {
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyAbsolute, v1alpha1.StrategyIncremental} {
		t.Run(string(strategy), func(t *testing.T) {
			shop := newFakeShop(t, v1alpha1.PlanStandard)
			item := shop.variant("A", 10)
			shop.FailKeyedRequests(1, http.StatusInternalServerError)
			conn := shop.connector(t, nil)
			results, err := conn.Write(context.Background(), strategy, "run-1", []channel.Change{{ItemID: item, Quantity: 4, CompareQuantity: ptr(int64(10))}})
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if results[0].Outcome != channel.Applied {
				t.Fatalf("outcome %v (%s), want Applied", results[0].Outcome, results[0].Reason)
			}
			want := int64(4)
			if strategy == v1alpha1.StrategyIncremental {
				want = 14
			}
			if got := shop.Available(item, shop.location); got != want {
				t.Fatalf("available %d, want %d", got, want)
			}
		})
	}
}

// A restarted sync pod derives the same key as the one whose request failed: it must walk
// to the next attempt key, and a later replay of the same Write applies nothing twice.
func TestARestartedWriterWalksTheSameAttemptKeys(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	item := shop.variant("A", 10)
	shop.FailKeyedRequests(1, http.StatusServiceUnavailable)
	changes := []channel.Change{{ItemID: item, Quantity: 3, CompareQuantity: ptr(int64(10))}}
	first := shop.connector(t, func(c *Config) { c.MaxAttempts = 1 })
	if _, err := first.Write(context.Background(), v1alpha1.StrategyIncremental, "run-1", changes); err == nil || channel.IsRefused(err) {
		t.Fatalf("first pod: %v, want an unknown outcome", err)
	}
	for range 2 {
		restarted := shop.connector(t, nil)
		results, err := restarted.Write(context.Background(), v1alpha1.StrategyIncremental, "run-1", changes)
		if err != nil || results[0].Outcome != channel.Applied {
			t.Fatalf("restarted pod: %v %+v", err, results)
		}
	}
	if got := shop.Available(item, shop.location); got != 13 {
		t.Fatalf("available %d, want 13: applied exactly once", got)
	}
}

func TestStockChangesAreStockedBeforeTheWrite(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	_, loose := shop.AddVariant("LOOSE")
	_, left := shop.AddVariant("LEFT")
	conn := shop.connector(t, nil)
	items := collect(t, conn, []string{"LOOSE", "LEFT"})
	for _, it := range items {
		if !it.NotStocked || it.Quantity != 0 {
			t.Fatalf("read %+v, want not stocked with 0", it)
		}
	}
	zero := int64(0)
	results, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "run-1", []channel.Change{
		{ItemID: loose, Quantity: 7, CompareQuantity: &zero, Stock: true},
	})
	if err != nil || results[0].Outcome != channel.Applied {
		t.Fatalf("Write: %v %+v", err, results)
	}
	if !shop.Stocked(loose, shop.location) || shop.Available(loose, shop.location) != 7 {
		t.Fatalf("stocked %v with %d, want stocked with 7", shop.Stocked(loose, shop.location), shop.Available(loose, shop.location))
	}
	if shop.Stocked(left, shop.location) {
		t.Fatal("an item not asked for was stocked")
	}
	if got := shop.Stats().Calls["inventoryActivate"]; got != 1 {
		t.Fatalf("%d inventoryActivate calls, want 1", got)
	}
}

func TestUntrackedItemsAreReadAsSuch(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	tracked, untracked := shop.variant("T", 1), shop.variant("U", 2)
	shop.SetTracked(untracked, false)
	for _, bulk := range []bool{false, true} {
		conn := shop.connector(t, func(c *Config) {
			if bulk {
				c.BulkThreshold = 1
			}
		})
		items := collect(t, conn, []string{"T", "U"})
		if len(items) != 2 || items[0].ID != tracked || items[0].Untracked || items[1].ID != untracked || !items[1].Untracked {
			t.Fatalf("bulk %v: read %+v", bulk, items)
		}
	}
}

func TestAStaleErrorWithoutAnIndexMakesTheWholeCallStale(t *testing.T) {
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyAbsolute, v1alpha1.StrategyIncremental} {
		t.Run(string(strategy), func(t *testing.T) {
			shop := newFakeShop(t, v1alpha1.PlanStandard)
			a, b, c := shop.variant("A", 10), shop.variant("B", 10), shop.variant("C", 10)
			shop.MakeStale(b)
			shop.OmitUserErrorFields(true)
			conn := shop.connector(t, nil)
			ten := int64(10)
			results, err := conn.Write(context.Background(), strategy, "run-1", []channel.Change{
				{ItemID: a, Quantity: 4, CompareQuantity: &ten},
				{ItemID: b, Quantity: 4, CompareQuantity: &ten},
				{ItemID: c, Quantity: 4, CompareQuantity: &ten},
			})
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			for i, r := range results {
				if r.Outcome != channel.Stale {
					t.Errorf("change %d: %v (%s), want Stale", i, r.Outcome, r.Reason)
				}
			}
			if shop.Available(a, shop.location) != 10 || shop.Available(c, shop.location) != 10 {
				t.Fatal("a call with a stale entry applied something")
			}
		})
	}
}

// Shopify refuses any single query requesting more than 1,000 points. The fake computes the
// requested cost from the selection as Shopify documents it; every paged read at the largest
// page must stay within the limit, and the connector's own estimate must be that cost.
func TestNoDocumentRequestsMoreThanTheSingleQueryLimit(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	r := shop.SeedSKUs(shop.location, 300, func(i int) string {
		return "S" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}, func(int) int64 { return 1 })
	for _, name := range []v1alpha1.QuantityName{v1alpha1.QuantityAvailable, v1alpha1.QuantityOnHand} {
		conn := shop.connector(t, func(c *Config) { c.QuantityName = name })
		skus := make([]string, 0, r.Len())
		for i := range r.Len() {
			skus = append(skus, "S"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)))
		}
		if got := len(collect(t, conn, skus)); got != r.Len() {
			t.Fatalf("read %d items, want %d", got, r.Len())
		}
		requested := conn.costs.expect(variantsPage)
		if requested > maxQueryCost || requested != variantsPage.expectedCost {
			t.Fatalf("a %d-variant page requested %v points; limit %d, estimate %v", maxPageSize, requested, maxQueryCost, variantsPage.expectedCost)
		}
	}
	// One more node per page would cross the limit, and the fake refuses it.
	bigger := shop.connector(t, nil)
	query := skuSearch([]string{"Sa"})
	err := bigger.do(context.Background(), variantsPage, variantsPageVariables{First: maxPageSize + 1, Query: &query, Location: shop.location, Names: []string{availableName}}, &variantsPageData{})
	if err == nil || !strings.Contains(err.Error(), "MAX_COST_EXCEEDED") {
		t.Fatalf("a page of %d: %v, want MAX_COST_EXCEEDED", maxPageSize+1, err)
	}
}

func TestABulkReadWaitsWhileFiveOperationsRun(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	shop.variant("A", 3)
	release := shop.OccupyBulkOperations(shopifytest.BulkQuery, 5)
	waited := 0
	conn := shop.connector(t, func(c *Config) {
		c.BulkThreshold = 0
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			if waited++; waited == 2 {
				release()
			}
			return shop.clock.Sleep(ctx, d)
		}
	})
	items := collect(t, conn, nil)
	if len(items) != 1 || items[0].Quantity != 3 {
		t.Fatalf("read %+v", items)
	}
	if got := shop.Stats().Calls["bulkOperationRunQuery"]; got != 3 {
		t.Fatalf("%d bulkOperationRunQuery calls, want 3: two refused while five ran, then one", got)
	}
}

// Bulk mutations are counted apart from bulk queries: five of them running do not hold back
// a bulk read.
func TestABulkReadIsNotHeldBackByBulkMutations(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	shop.variant("A", 3)
	defer shop.OccupyBulkOperations(shopifytest.BulkMutation, 5)()
	conn := shop.connector(t, func(c *Config) { c.BulkThreshold = 0 })
	if items := collect(t, conn, nil); len(items) != 1 || items[0].Quantity != 3 {
		t.Fatalf("read %+v", items)
	}
	if got := shop.Stats().Calls["bulkOperationRunQuery"]; got != 1 {
		t.Fatalf("%d bulkOperationRunQuery calls, want 1: nothing refused", got)
	}
}

func TestTheQuantityNameIsReadAndWritten(t *testing.T) {
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyAbsolute, v1alpha1.StrategyIncremental} {
		t.Run(string(strategy), func(t *testing.T) {
			shop := newFakeShop(t, v1alpha1.PlanStandard)
			item := shop.variant("A", 10)
			conn := shop.connector(t, func(c *Config) { c.QuantityName = v1alpha1.QuantityOnHand })
			if items := collect(t, conn, []string{"A"}); items[0].Quantity != 10 {
				t.Fatalf("read %+v", items)
			}
			ctx := channel.WithReference(context.Background(), channel.Reference(channel.ReferenceSyncRun, "run-7"))
			results, err := conn.Write(ctx, strategy, "k", []channel.Change{{ItemID: item, Quantity: 2, CompareQuantity: ptr(int64(10))}})
			if err != nil || results[0].Outcome != channel.Applied {
				t.Fatalf("Write: %v %+v", err, results)
			}
			h := shop.History()
			if len(h) != 1 || h[0].QuantityName != "on_hand" || h[0].ReferenceDocumentURI != "gid://inventory-operator/SyncRun/run-7" {
				t.Fatalf("history %+v", h)
			}
			if strategy == v1alpha1.StrategyIncremental && h[0].LedgerDocumentURI != h[0].ReferenceDocumentURI {
				t.Fatalf("an on_hand adjustment needs a ledger document: %+v", h[0])
			}
		})
	}
}

func TestEveryWriteNamesItsReference(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	item := shop.variant("A", 10)
	conn := shop.connector(t, nil)
	if _, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "key/1", []channel.Change{{ItemID: item, Quantity: 2}}); err != nil {
		t.Fatal(err)
	}
	h := shop.History()
	if len(h) != 1 || h[0].QuantityName != "available" || h[0].ReferenceDocumentURI != "gid://inventory-operator/InventoryWrite/key%2F1" {
		t.Fatalf("history %+v", h)
	}
}

func TestNewRejectsAnUnknownQuantityName(t *testing.T) {
	_, err := New(Config{BaseURL: "https://s.example", Token: "t", LocationID: "1", QuantityName: "committed"})
	if err == nil || !strings.Contains(err.Error(), "quantity name") {
		t.Fatalf("err = %v", err)
	}
}
