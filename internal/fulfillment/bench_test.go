package fulfillment

import (
	"bytes"
	"runtime"
	"strconv"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// csvFeedOf builds a CSV feed of n SKUs shaped like a warehouse export.
func csvFeedOf(n int) []byte {
	var buf bytes.Buffer
	buf.Grow(n * 24)
	buf.WriteString("sku,quantity,warehouse\n")
	for i := range n {
		buf.WriteString("SKU-")
		buf.WriteString(strconv.Itoa(n - i)) // reverse order, so sorting has work to do
		buf.WriteByte(',')
		buf.WriteString(strconv.Itoa(i % 500))
		buf.WriteString(",berlin\n")
	}
	return buf.Bytes()
}

// BenchmarkParseCSV1M parses a 1,000,000-SKU CSV feed. Besides the allocated bytes per
// parse, it reports the heap the resulting Levels retain, per SKU.
func BenchmarkParseCSV1M(b *testing.B) {
	const skus = 1_000_000
	feed := csvFeedOf(skus)
	b.SetBytes(int64(len(feed)))
	b.ReportAllocs()
	var levels *Levels
	for b.Loop() {
		var err error
		levels, err = Parse(bytes.NewReader(feed), v1alpha1.FeedFormatCSV)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if levels.Len() != skus {
		b.Fatalf("Len = %d, want %d", levels.Len(), skus)
	}
	retained := retainedBytes(func() any {
		levels, _ := Parse(bytes.NewReader(feed), v1alpha1.FeedFormatCSV)
		return levels
	})
	b.ReportMetric(float64(retained)/skus, "retained-B/sku")
	runtime.KeepAlive(feed) // so that freeing it does not offset the measurement
}

// retainedBytes measures the live heap that the value built by make keeps.
func retainedBytes(make func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := make()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

func TestLevelsOfAMillionSKUsStayCompact(t *testing.T) {
	if testing.Short() {
		t.Skip("parses a million SKUs")
	}
	const skus = 1_000_000
	feed := csvFeedOf(skus)
	retained := retainedBytes(func() any {
		levels, err := Parse(bytes.NewReader(feed), v1alpha1.FeedFormatCSV)
		if err != nil {
			t.Fatal(err)
		}
		if q, ok := levels.Lookup("SKU-" + strconv.Itoa(skus)); !ok || q != 0 {
			t.Fatalf("Lookup of the first SKU = %d, %t", q, ok)
		}
		return levels
	})
	runtime.KeepAlive(feed) // so that freeing it does not offset the measurement
	// 11 bytes of SKU text and 16 bytes of offsets, quantity and order per SKU, with room for
	// slice growth; a map or a string per SKU would need several times this.
	const budget = 48 << 20
	if retained > budget {
		t.Fatalf("1M levels retain %d MiB, want at most %d MiB", retained>>20, budget>>20)
	}
	t.Logf("1M levels retain %d MiB", retained>>20)
}
