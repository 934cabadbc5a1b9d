package syncbench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/syncpod"
)

// Size and bound of the peak memory benchmark.
const (
	skus1M = 1_000_000
	// peakRSSBoundMiB is the sync pod's memory bound a million-SKU run must stay within.
	peakRSSBoundMiB = 250
	// memoryPlan has a bucket large enough that the million writes are not paced for minutes;
	// the run's memory does not depend on the pace.
	memoryPlan = "Enterprise"
)

// peakMemoryShapes are the runs whose peak memory is measured: one feed written as it is, and
// the same levels from two feeds of a million SKUs each, summed, under every allocation rule
// (2(q+1) + buffer from one, the buffer from the other, which the rules bring back to q+1).
var peakMemoryShapes = []struct {
	name  string
	feeds []func(i int) int64
	rules *v1alpha1.AllocationRules
}{
	{"one feed, no rules", []func(int) int64{oneAbove(func(int) bool { return true })}, nil},
	{"two feeds summed, every rule", []func(int) int64{
		func(i int) int64 { return 2 * (storeQuantity(i) + 1) },
		func(int) int64 { return everyRuleBuffer },
	}, everyRule},
}

// BenchmarkSync1MPeakMemory runs the sync binary on a million SKUs, all different, from CSV
// feeds against an Enterprise store answering without latency, and reports the child's peak
// resident set size, for each of peakMemoryShapes.
func BenchmarkSync1MPeakMemory(b *testing.B) {
	bin := buildOperator(b)
	for _, shape := range peakMemoryShapes {
		b.Run(shape.name, func(b *testing.B) {
			for range b.N {
				feeds := make([][]byte, len(shape.feeds))
				for i, level := range shape.feeds {
					feeds[i] = csvFeed(skus1M, level)
				}
				syncPeakMemory(b, bin, shape.name, feeds, shape.rules, "")
			}
		})
	}
}

// syncPeakMemory runs the sync binary on the CSV feeds against a store of a million SKUs,
// with the catalog mapping of mappingFile when it is not empty, and reports its peak RSS;
// the run must update every SKU.
func syncPeakMemory(b *testing.B, bin, name string, feeds [][]byte, rules *v1alpha1.AllocationRules, mappingFile string) {
	b.StopTimer()
	shop, location := seededShop(memoryPlan, 0, skus1M)
	feedServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/%d.csv", &i); err != nil || i < 0 || i >= len(feeds) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write(feeds[i])
	}))
	resultPath := filepath.Join(b.TempDir(), "result.json")
	cfg := syncpod.Config{
		Platform:      v1alpha1.PlatformShopify,
		ChannelURL:    shop.URL,
		Plan:          v1alpha1.PlanEnterprise,
		LocationID:    location,
		Strategy:      v1alpha1.StrategyAbsolute,
		DuplicateSKUs: v1alpha1.DuplicateSKUsSkip,
		Trigger:       v1alpha1.TriggerFulfillmentManual,
		Allocation:    rules,
		RunID:         "syncbench-1m",
		MappingFile:   mappingFile,
	}
	for i := range feeds {
		cfg.Feeds = append(cfg.Feeds, syncpod.Feed{Name: fmt.Sprintf("warehouse-%d", i), URL: fmt.Sprintf("%s/%d.csv", feedServer.URL, i), Format: v1alpha1.FeedFormatCSV})
	}
	args := append([]string{"sync"}, cfg.Args()...)
	cmd := exec.Command(bin, append(args, "--result-path="+resultPath)...)
	// Only the credential: the run must not pick up a GOMEMLIMIT or GOGC from the caller.
	cmd.Env = []string{syncpod.EnvChannelCredentials + "=" + shop.Token()}
	var logs bytes.Buffer
	cmd.Stderr = &logs

	b.StartTimer()
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start)
	b.StopTimer()
	result := readResult(b, resultPath, logs.Bytes())
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		b.Fatalf("running %s: %v", bin, runErr)
	}
	if runErr != nil || result.SKUs.Updated != skus1M {
		b.Fatalf("sync run failed (%v): %+v\n%s", runErr, result, tail(logs.Bytes()))
	}
	peakMiB := float64(reportedPeak(b, logs.Bytes())) / (1 << 20)
	b.ReportMetric(peakMiB, "peak-RSS-MiB")
	fmt.Printf("sync 1M SKUs, all different, %s (sync binary, %s plan, no latency): peak RSS %.1f MiB (bound %d MiB), %.1f s, updated %d\n",
		name, memoryPlan, peakMiB, peakRSSBoundMiB, elapsed.Seconds(), result.SKUs.Updated)
	feedServer.Close()
	shop.AssertNoErrors(b)
	shop.Close()
}

// buildOperator builds cmd/inventory-operator into a temporary directory.
func buildOperator(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "inventory-operator")
	build := exec.Command("go", "build", "-o", bin, "./cmd/inventory-operator")
	build.Dir = repoRoot(b)
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the operator: %v\n%s", err, out)
	}
	return bin
}

// repoRoot is the nearest directory above the working directory holding go.mod.
func repoRoot(b *testing.B) string {
	b.Helper()
	dir, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			b.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// readResult reads the SyncResult the sync role wrote.
func readResult(b *testing.B, path string, logs []byte) v1alpha1.SyncResult {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatalf("the sync run wrote no result: %v\n%s", err, tail(logs))
	}
	var r v1alpha1.SyncResult
	if err := json.Unmarshal(data, &r); err != nil {
		b.Fatalf("decoding the result %q: %v", data, err)
	}
	return r
}

// reportedPeak is the peak resident set size the sync process logs as it ends. The rusage
// of the wait would count the memory of this benchmark, which the child is started from.
func reportedPeak(b *testing.B, logs []byte) int64 {
	b.Helper()
	for line := range bytes.Lines(logs) {
		var entry struct {
			Msg  string `json:"msg"`
			Peak int64  `json:"peakRSSBytes"`
		}
		if json.Unmarshal(line, &entry) == nil && entry.Msg == "sync process peak memory" && entry.Peak > 0 {
			return entry.Peak
		}
	}
	b.Fatalf("the sync process logged no peak memory\n%s", tail(logs))
	return 0
}

// tail is the end of the child's log, enough to see why a run failed.
func tail(logs []byte) []byte {
	const keep = 4096
	return logs[max(0, len(logs)-keep):]
}
