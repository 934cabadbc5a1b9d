package fulfillment

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// Bounds the fuzz targets parse with: small enough that the fuzzer reaches them.
var fuzzLimits = limits{rows: 64, recordBytes: 512}

const (
	fuzzMaxBytes = 16 << 10
	// maxProblemMessage bounds one problem's text: feed text is quoted shortened.
	maxProblemMessage = 400
)

func FuzzParseCSV(f *testing.F) {
	fuzzFormat(f, v1alpha1.FeedFormatCSV,
		"sku,quantity\nB-2,27\nA-1,98\nC-3,0\n",
		"Warehouse, Quantity ,SKU\nberlin,27,B-2\n",
		"\ufeffsku,quantity\r\n B-2 , 27\r\n\r\n\"C-3\",\"0\"\r\n",
		"sku,quantity,note\nA,1,\"two\nlines\"\nA,2,x\n",
		"sku,quantity\nA,1000000001\nB,-1\nC,99999999999999999999\nD,1.5\n",
		"sku,quantity\n"+strings.Repeat("é", MaxSKULength+1)+",1\n",
		"sku,quantity\nA,x\nB,\"2\n",
		"sku,quantity\nA\"B,1\n",
	)
}

func FuzzParseJSON(f *testing.F) {
	fuzzFormat(f, v1alpha1.FeedFormatJSON,
		`[{"sku":"B-2","quantity":27},{"quantity":98,"sku":"A-1","name":"x"},{"sku":"C-3","quantity":0}]`,
		"[\n  {\"sku\": \"B-2\", \"quantity\": 27}\n]\n",
		`[{"sku":"A","quantity":1e3},{"sku":"B","quantity":"5"},{"sku":null,"quantity":true}, 7]`,
		`[{"sku":"A","quantity":1000000001},{"sku":"B","quantity":-1000000001}]`,
		`[{"sku":"A","quantity":1},{"sku":"B","quan`,
		`[{"sku":"A","quantity":1}] [`,
		`{"sku":"A","quantity":1}`,
		`[{"sku":"\u00e9\ud83d\ude00","quantity":2},{"sku":"A","quantity":2},{"sku":"A","quantity":3}]`,
	)
}

func FuzzParseNDJSON(f *testing.F) {
	fuzzFormat(f, v1alpha1.FeedFormatNDJSON,
		"{\"sku\":\"B-2\",\"quantity\":27}\n\n{\"sku\":\"A-1\",\"quantity\":98}\r\n{\"sku\":\"C-3\",\"quantity\":0}",
		"{\"sku\":\"A\",\"quantity\":1}\n{\"sku\":\"B\",\n[1]\n",
		"{\"sku\":\"A\",\"quantity\":2000000000}\n{\"sku\":\"\",\"quantity\":1}\n",
		"{\"sku\":\"A\",\"quantity\":1}\n{\"sku\":\"A\",\"quantity\":2}\n",
	)
}

// fuzzFormat fuzzes the parser of format from seeds.
func fuzzFormat(f *testing.F, format v1alpha1.FeedFormat, seeds ...string) {
	for _, seed := range seeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, feed []byte) {
		checkParse(t, feed, format)
	})
}

// FuzzParseGzip feeds gzip streams, valid or mangled, in each format; the format is chosen by
// the second input.
func FuzzParseGzip(f *testing.F) {
	formats := []v1alpha1.FeedFormat{v1alpha1.FeedFormatCSV, v1alpha1.FeedFormatJSON, v1alpha1.FeedFormatNDJSON}
	seeds := []string{
		"sku,quantity\nA-1,98\nB-2,27\n",
		`[{"sku":"A-1","quantity":98},{"sku":"B-2","quantity":27}]`,
		"{\"sku\":\"A-1\",\"quantity\":98}\n{\"sku\":\"B-2\",\"quantity\":27}\n",
	}
	for i, seed := range seeds {
		f.Add(gzipBytes(f, seed), uint8(i))
		f.Add(gzipBytes(f, seed+strings.Repeat("\n", 2*fuzzMaxBytes)), uint8(i)) // beyond the cap once decompressed
	}
	f.Add(gzipBytes(f, seeds[0])[:20], uint8(0)) // cut short
	f.Fuzz(func(t *testing.T, feed []byte, format uint8) {
		checkParse(t, feed, formats[int(format)%len(formats)])
	})
}

// checkParse parses feed within the fuzz bounds and checks what any feed must give: no
// panic, and either levels every channel accepts, within the bounds, or a bounded error.
func checkParse(t *testing.T, feed []byte, format v1alpha1.FeedFormat) {
	levels, err := parseWithin(bytes.NewReader(feed), format, fuzzMaxBytes, fuzzLimits)
	if err != nil {
		if levels != nil {
			t.Fatalf("error %v came with %d levels", err, levels.Len())
		}
		checkError(t, err)
		return
	}
	if int64(levels.Len()) > fuzzLimits.rows {
		t.Fatalf("%d levels, more than the %d rows allowed", levels.Len(), fuzzLimits.rows)
	}
	previous := ""
	for k := range levels.Len() {
		l := levels.At(k)
		if n := utf8.RuneCountInString(l.SKU); n > MaxSKULength || strings.TrimSpace(l.SKU) == "" {
			t.Fatalf("accepted SKU %q of %d characters", l.SKU, n)
		}
		if l.Quantity < 0 || channel.CheckQuantity("quantity", l.Quantity) != nil {
			t.Fatalf("accepted quantity %d of SKU %q", l.Quantity, l.SKU)
		}
		if k > 0 && l.SKU <= previous {
			t.Fatalf("SKU %q follows %q: not strictly ascending", l.SKU, previous)
		}
		if q, ok := levels.Lookup(l.SKU); !ok || q != l.Quantity {
			t.Fatalf("Lookup(%q) = %d, %t; want %d", l.SKU, q, ok, l.Quantity)
		}
		previous = l.SKU
	}
}

// checkError checks a failed parse's error: a listing of at most MaxProblems short problems
// in position order, or a size or gzip failure.
func checkError(t *testing.T, err error) {
	var feedErr *FeedError
	if !errors.As(err, &feedErr) {
		msg := err.Error()
		if len(msg) > maxProblemMessage {
			t.Fatalf("error has %d bytes: %.200q", len(msg), msg)
		}
		if errors.Is(err, ErrTooLarge) || strings.HasPrefix(msg, "reading feed: ") || strings.HasPrefix(msg, "decompressing feed: ") {
			return
		}
		t.Fatalf("error %v (%T) is neither a *FeedError, a size cap nor a decompression failure", err, err)
	}
	if len(feedErr.Problems) == 0 || len(feedErr.Problems) > MaxProblems {
		t.Fatalf("FeedError lists %d problems", len(feedErr.Problems))
	}
	for i, p := range feedErr.Problems {
		if len(p.Message) > maxProblemMessage {
			t.Fatalf("problem %d has %d bytes: %.200q", i, len(p.Message), p.Message)
		}
		if i > 0 && p.Position < feedErr.Problems[i-1].Position {
			t.Fatalf("problems out of order: %v", feedErr.Problems)
		}
	}
}
