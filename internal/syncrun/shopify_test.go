package syncrun_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel/shopify"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

// shop is a fake Shopify store with one location, and a connector to it.
type shop struct {
	*shopifytest.Server
	location string
	conn     *shopify.Connector
}

// newShop starts a fake store. bulkThreshold is the connector's: SKU counts above it are read
// with a bulk operation.
func newShop(t *testing.T, bulkThreshold int) *shop {
	t.Helper()
	srv := shopifytest.New(shopifytest.Options{})
	t.Cleanup(func() {
		srv.AssertNoErrors(t)
		srv.Close()
	})
	loc := srv.AddLocation("Berlin")
	conn, err := shopify.New(shopify.Config{
		BaseURL:          srv.URL,
		Token:            srv.Token(),
		LocationID:       loc,
		Plan:             v1alpha1.PlanStandard,
		BulkThreshold:    bulkThreshold,
		RetryBackoff:     time.Millisecond,
		BulkPollInterval: 5 * time.Millisecond,
		BulkPollMax:      20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &shop{Server: srv, location: loc, conn: conn}
}

// stock adds one variant with this SKU, available q at the shop's location.
func (s *shop) stock(sku string, q int64) string {
	_, item := s.AddVariant(sku)
	s.SetAvailable(item, s.location, q)
	return item
}

func (s *shop) checkAvailable(t *testing.T, want map[string]int64) {
	t.Helper()
	for item, q := range want {
		if got := s.Available(item, s.location); got != q {
			t.Errorf("item %s has %d available, want %d", item, got, q)
		}
	}
}

func TestRunAgainstShopify(t *testing.T) {
	for _, tt := range []struct {
		strategy v1alpha1.Strategy
		policy   v1alpha1.DuplicateSKUPolicy
	}{
		{v1alpha1.StrategyAbsolute, v1alpha1.DuplicateSKUsSkip},
		{v1alpha1.StrategyAbsolute, v1alpha1.DuplicateSKUsUpdateAll},
		{v1alpha1.StrategyIncremental, v1alpha1.DuplicateSKUsSkip},
		{v1alpha1.StrategyIncremental, v1alpha1.DuplicateSKUsUpdateAll},
	} {
		t.Run(fmt.Sprintf("%s/%s", tt.strategy, tt.policy), func(t *testing.T) {
			s := newShop(t, 0)
			a := s.stock("A", 2)
			b := s.stock("B", 3)
			d1, d2 := s.stock("DUP", 0), s.stock("DUP", 9)
			z := s.stock("Z", 4)
			opts := options(levels(t, "A=5", "B=3", "DUP=6", "MISSING=1"), s.conn)
			opts.Strategy, opts.DuplicateSKUs = tt.strategy, tt.policy

			report := syncrun.Run(t.Context(), opts)

			want := v1alpha1.SKUCounts{Read: 4, Unchanged: 1, Updated: 1, SkippedDuplicates: 1, NotFound: 1}
			dup := map[string]int64{d1: 0, d2: 9}
			if tt.policy == v1alpha1.DuplicateSKUsUpdateAll {
				want.Updated, want.SkippedDuplicates = 2, 0
				dup = map[string]int64{d1: 6, d2: 6}
			}
			checkCounts(t, report, want, syncrun.Succeeded)
			s.checkAvailable(t, map[string]int64{a: 5, b: 3, z: 4})
			s.checkAvailable(t, dup)
		})
	}
}

func TestRunAgainstShopifyRetriesStaleItems(t *testing.T) {
	s := newShop(t, 0)
	a, b := s.stock("A", 2), s.stock("B", 0)
	// One unit of A sells between the run's read and its write: the feed, read before the
	// sale, does not count it, so the run writes the feed's level less that unit.
	s.MakeStale(a)

	report := syncrun.Run(t.Context(), options(levels(t, "A=5", "B=1"), s.conn))

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 2, Updated: 2}, syncrun.Succeeded)
	s.checkAvailable(t, map[string]int64{a: 4, b: 1})
}

func TestRunAgainstShopifyAppliesARetriedBatchOnce(t *testing.T) {
	s := newShop(t, 0)
	a := s.stock("A", 2)
	opts := options(levels(t, "A=5"), s.conn)
	opts.Strategy = v1alpha1.StrategyIncremental
	checkCounts(t, syncrun.Run(t.Context(), opts), v1alpha1.SKUCounts{Read: 1, Updated: 1}, syncrun.Succeeded)

	// The same batch from the same run again is answered from Shopify's idempotency record.
	s.SetAvailable(a, s.location, 2)
	syncrun.Run(t.Context(), opts)
	s.checkAvailable(t, map[string]int64{a: 2})
}

func TestRunAgainstShopifyWithBulkReadAndConcurrentWrites(t *testing.T) {
	s := newShop(t, 10)
	const n = 1000
	seeded := s.SeedSKUs(s.location, n, func(i int) string { return fmt.Sprintf("SKU-%04d", i) }, func(i int) int64 { return int64(i % 3) })
	var feed []string
	for i := range n {
		feed = append(feed, fmt.Sprintf("SKU-%04d=%d", i, i%5))
	}
	opts := options(levels(t, feed...), s.conn)
	opts.Concurrency = 3

	report := syncrun.Run(t.Context(), opts)

	checkCountsAddUp(t, report)
	c := report.Result.SKUs
	if report.Status != syncrun.Succeeded || c.Read != n || c.Unchanged+c.Updated != n {
		t.Fatalf("report %+v, want every SKU unchanged or updated", report)
	}
	for i := range n {
		if got := s.Available(seeded.InventoryItemGID(i), s.location); got != int64(i%5) {
			t.Fatalf("SKU-%04d has %d available, want %d", i, got, i%5)
		}
	}
}

func TestRunAgainstShopifyLeavesUntrackedAndUnstockedItems(t *testing.T) {
	s := newShop(t, 0)
	a := s.stock("A", 2)
	u := s.stock("UNTRACKED", 2)
	s.SetTracked(u, false)
	_, n := s.AddVariant("UNSTOCKED")

	report := syncrun.Run(t.Context(), options(levels(t, "A=5", "UNTRACKED=5", "UNSTOCKED=5"), s.conn))

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 3, Updated: 1, Untracked: 1, NotStocked: 1}, syncrun.Succeeded)
	s.checkAvailable(t, map[string]int64{a: 5, u: 2, n: 0})
	if s.Stocked(n, s.location) {
		t.Error("a run without stockUnstockedItems stocked an item")
	}
	if got := s.Stats().ItemsWritten; got != 1 {
		t.Errorf("%d items written, want 1", got)
	}
}

func TestRunAgainstShopifyStocksUnstockedItemsWhenAsked(t *testing.T) {
	s := newShop(t, 0)
	_, n := s.AddVariant("UNSTOCKED")
	opts := options(levels(t, "UNSTOCKED=5"), s.conn)
	opts.StockUnstockedItems = true

	report := syncrun.Run(t.Context(), opts)

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 1, Updated: 1}, syncrun.Succeeded)
	if !s.Stocked(n, s.location) || s.Available(n, s.location) != 5 {
		t.Errorf("stocked %v with %d, want stocked with 5", s.Stocked(n, s.location), s.Available(n, s.location))
	}
}

func TestRunAgainstShopifyNamesTheRunInEveryWrite(t *testing.T) {
	s := newShop(t, 0)
	s.stock("A", 2)
	s.stock("B", 2)
	checkCounts(t, syncrun.Run(t.Context(), options(levels(t, "A=5", "B=1"), s.conn)), v1alpha1.SKUCounts{Read: 2, Updated: 2}, syncrun.Succeeded)
	history := s.History()
	if len(history) == 0 {
		t.Fatal("no write recorded")
	}
	for _, h := range history {
		if h.ReferenceDocumentURI != "gid://inventory-operator/SyncRun/run-1" {
			t.Errorf("reference %q, want the run", h.ReferenceDocumentURI)
		}
	}
}

func TestRunAgainstShopifyRereadsACallStaleWithoutAnIndex(t *testing.T) {
	s := newShop(t, 0)
	a, b := s.stock("A", 2), s.stock("B", 0)
	s.MakeStale(a)
	s.OmitUserErrorFields(true)

	report := syncrun.Run(t.Context(), options(levels(t, "A=5", "B=1"), s.conn))

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 2, Updated: 2}, syncrun.Succeeded)
	// The unit sold between the read and the write stays sold.
	s.checkAvailable(t, map[string]int64{a: 4, b: 1})
}

// Shopify answering "try again" (ADJUST_QUANTITIES_FAILED) does not fail the SKUs: the
// connector sends the call again and the run ends with them updated, once.
func TestRunAgainstShopifyRetriesATransientError(t *testing.T) {
	s := newShop(t, 0)
	a := s.stock("A", 2)
	s.AnswerTransient(1, shopifytest.AdjustQuantitiesFailed)
	opts := options(levels(t, "A=5"), s.conn)
	opts.Strategy = v1alpha1.StrategyIncremental

	report := syncrun.Run(t.Context(), opts)

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 1, Updated: 1}, syncrun.Succeeded)
	s.checkAvailable(t, map[string]int64{a: 5})
}

// A level deactivated while holding stock is read with its quantity and written like an
// active one, not counted notStocked.
func TestRunAgainstShopifyWritesAnInactiveLevel(t *testing.T) {
	// A threshold of 1 reads the two SKUs by bulk.
	for _, threshold := range []int{10, 1} {
		s := newShop(t, threshold)
		a, b := s.stock("A", 2), s.stock("B", 0)
		s.DeactivateLevel(a, s.location)

		report := syncrun.Run(t.Context(), options(levels(t, "A=5", "B=1"), s.conn))

		checkCounts(t, report, v1alpha1.SKUCounts{Read: 2, Updated: 2}, syncrun.Succeeded)
		s.checkAvailable(t, map[string]int64{a: 5, b: 1})
		if got := s.Stats().Calls["bulkOperationRunQuery"]; (got > 0) != (threshold == 1) {
			t.Errorf("threshold %d: %d bulk operations", threshold, got)
		}
	}
}
