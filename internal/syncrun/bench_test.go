package syncrun_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

// generatedChannel shows n items, item i with SKU sku(i) and quantity i%3, computed on
// demand so the channel itself takes no memory; writes all apply. It measures the run's own
// footprint.
type generatedChannel struct {
	n      int
	writes atomic.Int64
}

func benchSKU(i int) string { return fmt.Sprintf("SKU-%07d", i) }

func (g *generatedChannel) Items(ctx context.Context, skus []string, fn func(channel.Item) error) error {
	for i := range g.n {
		if err := fn(channel.Item{ID: fmt.Sprintf("gid://shopify/InventoryItem/%d", 40000000000+i), SKU: benchSKU(i), Quantity: int64(i % 3)}); err != nil {
			return err
		}
	}
	return nil
}

func (g *generatedChannel) Write(ctx context.Context, _ v1alpha1.Strategy, _ string, changes []channel.Change) ([]channel.ChangeResult, error) {
	g.writes.Add(int64(len(changes)))
	return make([]channel.ChangeResult, len(changes)), nil
}

func (g *generatedChannel) MaxBatch() int { return 250 }

// BenchmarkRunMillionSKUs reports the peak Go heap of a run of a million SKUs, the feed's
// levels included, sampled while it runs.
func BenchmarkRunMillionSKUs(b *testing.B) {
	const n = 1_000_000
	var feed strings.Builder
	feed.WriteString("sku,quantity\n")
	for i := range n {
		fmt.Fprintf(&feed, "%s,%d\n", benchSKU(i), i%5)
	}
	text := feed.String()
	for b.Loop() {
		feed := strings.NewReader(text)
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peak atomic.Uint64
		done := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
				select {
				case <-done:
					return
				case <-tick.C:
				}
			}
		}()
		levels, err := fulfillment.Parse(feed, v1alpha1.FeedFormatCSV)
		if err != nil {
			b.Fatal(err)
		}
		ch := &generatedChannel{n: n}
		report := syncrun.Run(b.Context(), syncrun.Options{
			Levels: syncrun.StaticLevels{Levels: levels}, Connector: ch, RunID: "bench",
			Strategy: v1alpha1.StrategyAbsolute, DuplicateSKUs: v1alpha1.DuplicateSKUsSkip, Concurrency: 2,
		})
		close(done)
		<-sampled
		if report.Status != syncrun.Succeeded || report.Result.SKUs.Read != n {
			b.Fatalf("report %+v", report)
		}
		b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapInuse))/(1<<20), "peak-heap-MiB")
	}
}
