package fulfillment

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/syncpod"
)

// Environment of the child process that BenchmarkFeedAtTheCapsPeakMemory starts.
const (
	envPeakFormat = "FEED_PEAK_FORMAT"
	envPeakSKU    = "FEED_PEAK_SKU_LENGTH"
)

// BenchmarkFeedAtTheCapsPeakMemory parses feeds at the caps, each in a child process with the
// sync role's soft memory limit, and prints the child's peak resident set size against the
// sync pod's memory limit. The feeds are generated while they are read, as a sync pod
// streams its feed, and fill DefaultMaxBytes: MaxRows entries with SKUs as long as the size
// cap allows (the most entries and the most SKU bytes at once), and SKUs of MaxSKULength
// characters.
func BenchmarkFeedAtTheCapsPeakMemory(b *testing.B) {
	for range b.N {
		for _, format := range []v1alpha1.FeedFormat{v1alpha1.FeedFormatCSV, v1alpha1.FeedFormatJSON, v1alpha1.FeedFormatNDJSON} {
			for _, skuLength := range []int{0, MaxSKULength} {
				cmd := exec.Command(os.Args[0], "-test.run=^TestFeedPeakMemoryChild$")
				cmd.Env = append(os.Environ(), envPeakFormat+"="+string(format), envPeakSKU+"="+strconv.Itoa(skuLength))
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				var rows int64
				var sku int
				var peak int64
				if _, err := fmt.Sscanf(lastLine(out, "feed at the caps:"), "feed at the caps: %d entries, SKUs of %d bytes, peak RSS %d KiB", &rows, &sku, &peak); err != nil {
					b.Fatalf("child output %q: %v", out, err)
				}
				peakMiB := float64(peak) / 1024
				b.ReportMetric(peakMiB, string(format)+"-"+strconv.Itoa(sku)+"-peak-RSS-MiB")
				fmt.Printf("%s feed of %d MiB, %d entries, SKUs of %d bytes: peak RSS %.1f MiB (pod limit %d MiB, soft limit %d MiB)\n",
					format, DefaultMaxBytes>>20, rows, sku, peakMiB, syncpod.PodMemoryLimit>>20, syncpod.SoftMemoryLimit>>20)
			}
		}
	}
}

// TestFeedPeakMemoryChild is the child process of BenchmarkFeedAtTheCapsPeakMemory.
func TestFeedPeakMemoryChild(t *testing.T) {
	format := v1alpha1.FeedFormat(os.Getenv(envPeakFormat))
	if format == "" {
		t.Skip("runs as the child of BenchmarkFeedAtTheCapsPeakMemory")
	}
	skuLength, err := strconv.Atoi(os.Getenv(envPeakSKU))
	if err != nil {
		t.Fatal(err)
	}
	debug.SetMemoryLimit(syncpod.SoftMemoryLimit)
	feed := newCappedFeed(format, skuLength)
	levels, err := Parse(bufio.NewReaderSize(feed, 32<<10), format)
	if err != nil {
		t.Fatal(err)
	}
	if int64(levels.Len()) != feed.rows {
		t.Fatalf("parsed %d levels of %d", levels.Len(), feed.rows)
	}
	fmt.Printf("feed at the caps: %d entries, SKUs of %d bytes, peak RSS %d KiB\n", feed.rows, feed.skuLength, peakRSSKiB(t))
}

// cappedFeed generates a feed of distinct SKUs that fills DefaultMaxBytes.
type cappedFeed struct {
	format    v1alpha1.FeedFormat
	rows      int64
	skuLength int
	next      int64
	pending   bytes.Buffer
}

// newCappedFeed sizes a feed of format at the caps: MaxRows entries when skuLength is 0,
// entries of skuLength-byte SKUs otherwise.
func newCappedFeed(format v1alpha1.FeedFormat, skuLength int) *cappedFeed {
	f := &cappedFeed{format: format}
	head, row, tail := f.frame("")
	budget := DefaultMaxBytes - int64(len(head)+len(tail))
	if skuLength == 0 {
		f.rows = MaxRows
		f.skuLength = min(int(budget/f.rows)-len(row), MaxSKULength)
	} else {
		f.skuLength = skuLength
		f.rows = min(budget/int64(len(row)+skuLength), MaxRows)
	}
	f.pending.WriteString(head)
	return f
}

// frame returns the feed's head, an entry of sku and the feed's tail.
func (f *cappedFeed) frame(sku string) (head, row, tail string) {
	switch f.format {
	case v1alpha1.FeedFormatJSON:
		return "[", `{"sku":"` + sku + `","quantity":7},`, "]"
	case v1alpha1.FeedFormatNDJSON:
		return "", `{"sku":"` + sku + `","quantity":7}` + "\n", ""
	default:
		return "sku,quantity\n", sku + ",7\n", ""
	}
}

func (f *cappedFeed) Read(p []byte) (int, error) {
	for f.pending.Len() < len(p) && f.next < f.rows {
		sku := strconv.FormatInt(f.next, 10)
		sku = strings.Repeat("0", f.skuLength-len(sku)) + sku
		_, row, tail := f.frame(sku)
		f.next++
		if f.next == f.rows {
			row = strings.TrimSuffix(row, ",") + tail
		}
		f.pending.WriteString(row)
	}
	if f.pending.Len() == 0 {
		return 0, io.EOF
	}
	return f.pending.Read(p)
}

// peakRSSKiB reads this process's peak resident set size (VmHWM).
func peakRSSKiB(t *testing.T) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kib
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// lastLine returns the last line of out starting with prefix.
func lastLine(out []byte, prefix string) string {
	var found string
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, prefix) {
			found = strings.TrimSpace(line)
		}
	}
	return found
}
