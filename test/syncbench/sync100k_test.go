package syncbench

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"k8s.io/utils/ptr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/channel/shopify"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/skumap"
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
	// reading is how long the run took before its first write: the catalog read.
	reading time.Duration
	conn    *writePhase
	shop    *shopifytest.Server
}

// runAgainstStandard seeds a Standard store of skus100k SKUs, parses a feed of the levels,
// and times syncrun.Run alone under the allocation rules, with the absolute strategy, as the
// sync role configures it, then as configure changes the options. The caller closes the shop.
func runAgainstStandard(b *testing.B, level func(i int) int64, rules allocation.Rules, configure ...func(*syncrun.Options)) syncRun {
	b.Helper()
	return runFeedAgainstStandard(b, csvFeed(skus100k, level), rules, nil, configure...)
}

// runFeedAgainstStandard is runAgainstStandard for a CSV feed of any SKUs, turned into the
// store's SKUs by mapping when it is not nil.
func runFeedAgainstStandard(b *testing.B, feed []byte, rules allocation.Rules, mapping *skumap.Mapping, configure ...func(*syncrun.Options)) syncRun {
	b.Helper()
	b.StopTimer()
	shop, location := seededShop(standardPlan, shopLatency, skus100k)
	levels, err := fulfillment.Parse(bytes.NewReader(feed), v1alpha1.FeedFormatCSV)
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
	opts := syncrun.Options{
		Levels: syncrun.StaticLevels{Levels: levels}, Connector: w, RunID: "syncbench", Allocation: rules,
		Strategy: v1alpha1.StrategyAbsolute, DuplicateSKUs: v1alpha1.DuplicateSKUsSkip, Concurrency: shopifyConcurrency,
		Mapping: mapping,
	}
	for _, c := range configure {
		c(&opts)
	}
	report := syncrun.Run(b.Context(), opts)
	elapsed := time.Since(start)
	b.StopTimer()
	if report.Status != syncrun.Succeeded {
		b.Fatalf("run ended %v: %+v", report.Status, report.Result)
	}
	return syncRun{report: report, elapsed: elapsed, reading: w.firstWrite.Sub(start), conn: w, shop: shop}
}

// BenchmarkSync100kOnePercentDifferent syncs 100,000 SKUs of which 1,000 differ and checks
// that exactly those are written.
func BenchmarkSync100kOnePercentDifferent(b *testing.B) {
	const different = skus100k / 100
	for range b.N {
		run := runAgainstStandard(b, oneAbove(func(i int) bool { return i%100 == 0 }), allocation.Rules{})
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

// maxFloorRatio is the longest a run may take against its rate-limit floor.
const maxFloorRatio = 1.10

// allDifferent are the two shapes of the all-different run: levels one above the store's,
// written as they are, and levels that every allocation rule touches, chosen so the rules
// leave one above the store's: (2(q+1) + 10 - buffer 10) x 50% = q+1, above the threshold
// and under the maximum.
var allDifferent = []struct {
	name  string
	level func(i int) int64
	rules allocation.Rules
}{
	{"no rules", oneAbove(func(int) bool { return true }), allocation.Rules{}},
	{"threshold, buffer, percentage and maximum", func(i int) int64 { return 2*(storeQuantity(i)+1) + everyRuleBuffer },
		everyRule.Rules()},
}

// everyRule sets every allocation rule; a level of 2(q+1) + everyRuleBuffer shows q+1.
var everyRule = &v1alpha1.AllocationRules{
	Threshold: ptr.To[int64](1), Buffer: ptr.To[int64](everyRuleBuffer), Percentage: ptr.To[int64](50), Maximum: ptr.To[int64](1000),
}

const everyRuleBuffer = 10

// BenchmarkSync100kAllDifferent syncs 100,000 SKUs that all differ, without allocation rules
// and with every rule set, and reports each run's length against the rate-limit floor: the
// points the writes spent, less the full bucket, at the restore rate, both as the shop
// reports them in throttleStatus.
func BenchmarkSync100kAllDifferent(b *testing.B) {
	for _, shape := range allDifferent {
		b.Run(shape.name, func(b *testing.B) { syncAllDifferent(b, shape.name, shape.level, shape.rules) })
	}
}

func syncAllDifferent(b *testing.B, name string, level func(i int) int64, rules allocation.Rules) {
	for range b.N {
		run := runAgainstStandard(b, level, rules)
		counts := run.report.Result.SKUs
		if written := run.shop.Stats().ItemsWritten; counts.Updated != skus100k || written != skus100k {
			b.Fatalf("want %d updated and written, got result %+v and %d items written", skus100k, counts, written)
		}
		reportFloorRatio(b, run, "all different, "+name)
		run.shop.AssertNoErrors(b)
		run.shop.Close()
	}
}

// reportFloorRatio reports and prints a run's length against the rate-limit floor: the
// points the writes spent, less the full bucket, at the restore rate, both as the shop
// reports them in throttleStatus.
func reportFloorRatio(b *testing.B, run syncRun, name string) {
	b.Helper()
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
	// The catalog read before the first write spends almost none of the bucket: its length
	// is the bulk export's and the run's own work, which the writes' ratio leaves out.
	writing := (run.elapsed - run.reading).Seconds()
	fmt.Printf("sync 100k SKUs, %s (Standard, %v latency): measured %.2f s (catalog read %.2f s, writes %.2f s = %.3f x floor), floor %.2f s ((%d write points - %v bucket) / %v per s), ratio %.3f (target <= %.2f); %d calls, %d throttled\n",
		name, shopLatency, run.elapsed.Seconds(), run.reading.Seconds(), writing, writing/floor, floor, writePoints, limits.MaximumAvailable, limits.RestoreRate, ratio, maxFloorRatio, st.Calls, st.Throttled)
}
