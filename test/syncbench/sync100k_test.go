package syncbench

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel/shopify"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

// Store size and per-call latency of the 100,000-SKU benchmarks, on a Standard store.
const (
	skus100k     = 100_000
	shopLatency  = 20 * time.Millisecond
	standardPlan = "Standard"
)

// shopifyConcurrency is the sync role's default number of batches in flight for Shopify.
const shopifyConcurrency = 2

// syncRun is one measured run of syncrun.Run against a seeded store.
type syncRun struct {
	report  syncrun.Report
	elapsed time.Duration
	conn    *writePhase
	shop    *shopifytest.Server
}

// runAgainstStandard seeds a Standard store of skus100k SKUs, parses a feed where the SKUs
// for which differs(i) holds differ by one unit, and times syncrun.Run alone, with the
// absolute strategy, as the sync role configures it. The caller closes the shop.
func runAgainstStandard(b *testing.B, differs func(i int) bool) syncRun {
	b.Helper()
	b.StopTimer()
	shop, location := seededShop(standardPlan, shopLatency, skus100k)
	levels, err := fulfillment.Parse(bytes.NewReader(csvFeed(skus100k, differs)), v1alpha1.FeedFormatCSV)
	if err != nil {
		b.Fatal(err)
	}
	conn, err := shopify.New(shopify.Config{BaseURL: shop.URL, Token: shop.Token(), LocationID: location, Plan: v1alpha1.PlanStandard})
	if err != nil {
		b.Fatal(err)
	}
	w := &writePhase{Connector: conn}
	b.StartTimer()
	start := time.Now()
	report := syncrun.Run(b.Context(), syncrun.Options{
		Levels: syncrun.StaticLevels{Levels: levels}, Connector: w, RunID: "syncbench",
		Strategy: v1alpha1.StrategyAbsolute, DuplicateSKUs: v1alpha1.DuplicateSKUsSkip, Concurrency: shopifyConcurrency,
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if report.Status != syncrun.Succeeded {
		b.Fatalf("run ended %v: %+v", report.Status, report.Result)
	}
	return syncRun{report: report, elapsed: elapsed, conn: w, shop: shop}
}

// BenchmarkSync100kOnePercentDifferent syncs 100,000 SKUs of which 1,000 differ and checks
// that exactly those are written.
func BenchmarkSync100kOnePercentDifferent(b *testing.B) {
	const different = skus100k / 100
	for range b.N {
		run := runAgainstStandard(b, func(i int) bool { return i%100 == 0 })
		counts := run.report.Result.SKUs
		written := run.shop.Stats().ItemsWritten
		if counts.Updated != different || counts.Unchanged != skus100k-different || written != different {
			b.Fatalf("want %d updated and written, got result %+v and %d items written", different, counts, written)
		}
		points := run.conn.Stats().PointsSpent
		b.ReportMetric(run.elapsed.Seconds(), "s")
		b.ReportMetric(float64(points), "points")
		fmt.Printf("sync 100k SKUs, 1%% different (Standard, %v latency): %.2f s, %d points spent (%d on writes), updated %d, items written %d\n",
			shopLatency, run.elapsed.Seconds(), points, run.conn.writePoints(), counts.Updated, written)
		run.shop.AssertNoErrors(b)
		run.shop.Close()
	}
}

// BenchmarkSync100kAllDifferent syncs 100,000 SKUs that all differ and reports the run's
// length against the rate-limit floor: the points the writes spent, less the full bucket,
// at the restore rate, both as the shop reports them in throttleStatus.
func BenchmarkSync100kAllDifferent(b *testing.B) {
	for range b.N {
		run := runAgainstStandard(b, func(int) bool { return true })
		counts := run.report.Result.SKUs
		if written := run.shop.Stats().ItemsWritten; counts.Updated != skus100k || written != skus100k {
			b.Fatalf("want %d updated and written, got result %+v and %d items written", skus100k, counts, written)
		}
		writePoints := run.conn.writePoints()
		// Asked after the run, so the probe's own cost cannot delay the writes.
		limits := reportedBucket(b, run.shop)
		floor := (float64(writePoints) - limits.MaximumAvailable) / limits.RestoreRate
		if floor <= 0 {
			b.Fatalf("%d points spent on writes fit in the %v-point bucket: no rate-limit floor", writePoints, limits.MaximumAvailable)
		}
		ratio := run.elapsed.Seconds() / floor
		b.ReportMetric(run.elapsed.Seconds(), "s")
		b.ReportMetric(floor, "floor-s")
		b.ReportMetric(ratio, "x-floor")
		st := run.conn.Stats()
		fmt.Printf("sync 100k SKUs, all different (Standard, %v latency): measured %.2f s, floor %.2f s ((%d write points - %v bucket) / %v per s), ratio %.3f (target <= 1.15); %d calls, %d throttled\n",
			shopLatency, run.elapsed.Seconds(), floor, writePoints, limits.MaximumAvailable, limits.RestoreRate, ratio, st.Calls, st.Throttled)
		run.shop.AssertNoErrors(b)
		run.shop.Close()
	}
}
