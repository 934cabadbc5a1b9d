package shopify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/channel"
)

func TestParseBulkVariants(t *testing.T) {
	jsonl := `{"sku":"A","inventoryItem":{"id":"I1","inventoryLevel":{"quantities":[{"name":"available","quantity":3}]}}}
{"id":"L1","quantities":[{"name":"available","quantity":99}],"__parentId":"I1"}
{"sku":"B","inventoryItem":{"id":"I2","inventoryLevel":null}}
{"sku":null,"inventoryItem":{"id":"I3","inventoryLevel":null}}
{"sku":"C","inventoryItem":{"id":"I4","inventoryLevel":{"quantities":[{"name":"available","quantity":-2}]}}}
`
	cases := []struct {
		name string
		skus []string
		want []channel.Item
	}{
		{"every SKU", nil, []channel.Item{{ID: "I1", SKU: "A", Quantity: 3}, {ID: "I2", SKU: "B", NotStocked: true}, {ID: "I4", SKU: "C", Quantity: -2}}},
		{"wanted SKUs only", []string{"C", "A", "Z"}, []channel.Item{{ID: "I1", SKU: "A", Quantity: 3}, {ID: "I4", SKU: "C", Quantity: -2}}},
	}
	for _, c := range cases {
		var got []channel.Item
		err := parseBulkVariants(strings.NewReader(jsonl), newSKUSet(c.skus), availableName, func(it channel.Item) error {
			got = append(got, it)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParseBulkVariantsStopsAtABrokenLineOrACallbackError(t *testing.T) {
	err := parseBulkVariants(strings.NewReader("{\"sku\":\"A\"}\n{\"sku\":"), newSKUSet(nil), availableName, func(channel.Item) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("truncated stream: %v", err)
	}
	stop := errors.New("stop")
	line := `{"sku":"A","inventoryItem":{"id":"I1"}}` + "\n"
	calls := 0
	err = parseBulkVariants(strings.NewReader(line+line), newSKUSet(nil), availableName, func(channel.Item) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("callback error: %v after %d calls", err, calls)
	}
}

// variantLines generates n JSONL variant lines without holding them.
type variantLines struct {
	n, next int
	buf     []byte
}

func (g *variantLines) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.next < g.n {
		g.buf = fmt.Appendf(g.buf, `{"sku":"SKU-%d","inventoryItem":{"id":"gid://shopify/InventoryItem/%d","inventoryLevel":{"quantities":[{"name":"available","quantity":%d}]}}}`+"\n", g.next, g.next, g.next%50)
		g.next++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// A million-line result must stream: the heap at the end of the parse is within a few MiB of
// the heap at its start.
func TestParseBulkVariantsStreamsAMillionLines(t *testing.T) {
	const n = 1_000_000
	before := heapInUse()
	var seen int
	var sum int64
	var during uint64
	err := parseBulkVariants(&variantLines{n: n}, newSKUSet(nil), availableName, func(it channel.Item) error {
		seen++
		sum += it.Quantity
		if seen == n-1 {
			during = heapInUse()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != n {
		t.Fatalf("saw %d items, want %d", seen, n)
	}
	if grown := int64(during) - int64(before); grown > 8<<20 {
		t.Errorf("heap grew by %d MiB while streaming", grown>>20)
	}
}

var bulkRunning = map[string]any{"bulkOperationRunQuery": map[string]any{
	"bulkOperation": map[string]any{"id": "gid://shopify/BulkOperation/1", "status": "CREATED"},
	"userErrors":    []any{},
}}

func bulkState(status string, url any) map[string]any {
	return map[string]any{"bulkOperation": map[string]any{
		"id": "gid://shopify/BulkOperation/1", "status": status, "errorCode": nil, "url": url,
	}}
}

func TestBulkOutcomes(t *testing.T) {
	cases := []struct {
		name      string
		replies   []reply
		wantErr   string
		wantPolls int
	}{
		{
			name:      "a completed operation without a URL found nothing",
			replies:   []reply{answered(bulkRunning, 10, 990), answered(bulkState("RUNNING", nil), 1, 990), answered(bulkState("COMPLETED", nil), 1, 990)},
			wantPolls: 2,
		},
		{
			name: "a failed operation is an error",
			replies: []reply{answered(bulkRunning, 10, 990), answered(map[string]any{"bulkOperation": map[string]any{
				"id": "gid://shopify/BulkOperation/1", "status": "FAILED", "errorCode": "TIMEOUT", "url": nil}}, 1, 990)},
			wantErr: "FAILED (TIMEOUT)", wantPolls: 1,
		},
		{
			name: "a refused start is an error",
			replies: []reply{answered(map[string]any{"bulkOperationRunQuery": map[string]any{
				"bulkOperation": nil,
				"userErrors":    []any{map[string]any{"code": "LIMIT_REACHED", "field": nil, "message": "too many"}},
			}}, 10, 990)},
			wantErr: "LIMIT_REACHED",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newScriptedShopify(t, script(c.replies...))
			clock := newFakeClock()
			conn := s.connector(clock, nil)
			err := conn.Items(context.Background(), nil, func(channel.Item) error { return nil })
			if (err == nil) != (c.wantErr == "") || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
			polls := 0
			for _, r := range s.received() {
				if r.Operation == bulkStatus.name {
					polls++
				}
			}
			if polls != c.wantPolls {
				t.Errorf("%d polls, want %d", polls, c.wantPolls)
			}
			sleeps := clock.Sleeps()
			for i := 1; i < len(sleeps); i++ {
				if sleeps[i] < sleeps[i-1] {
					t.Errorf("poll waits %v do not grow", sleeps)
				}
			}
		})
	}
}

// One endless line of a bulk result must not be read without limit.
func TestParseBulkVariantsBoundsALine(t *testing.T) {
	huge := `{"sku":"A","inventoryItem":{"id":"I1"},"padding":"` + strings.Repeat("x", maxBulkLine) + `"}` + "\n"
	err := parseBulkVariants(strings.NewReader(`{"sku":"B","inventoryItem":{"id":"I2"}}`+"\n"+huge), newSKUSet(nil), availableName, func(channel.Item) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 2 exceeds 1024 KiB") {
		t.Errorf("an oversized line: %v", err)
	}
}

func TestBulkPollWaitIsAQuarterOfTheRunningTimeWithinBounds(t *testing.T) {
	const shortest, longest = 100 * time.Millisecond, 10 * time.Second
	cases := []struct {
		name    string
		elapsed time.Duration
		want    time.Duration
	}{
		{"just started: the shortest wait", 0, shortest},
		{"under four times the shortest: the shortest wait", 399 * time.Millisecond, shortest},
		{"half a second: an eighth of a second", 500 * time.Millisecond, 125 * time.Millisecond},
		{"ten seconds: two and a half", 10 * time.Second, 2500 * time.Millisecond},
		{"ten minutes: the longest wait", 10 * time.Minute, longest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := bulkPollWait(c.elapsed, shortest, longest); got != c.want {
				t.Errorf("bulkPollWait(%v) = %v, want %v", c.elapsed, got, c.want)
			}
		})
	}
}

// An operation that ends just after a poll is seen within a quarter of its running time,
// where doubling waits from 500ms saw one ending at 520ms only at 1.5s.
func TestBulkEndIsSeenWithinAQuarterOfItsRunningTime(t *testing.T) {
	for _, ends := range []time.Duration{520 * time.Millisecond, 3 * time.Second, 50 * time.Second} {
		var at time.Duration
		for at < ends {
			at += bulkPollWait(at, 100*time.Millisecond, 10*time.Second)
		}
		if late := at - ends; late > max(ends/4, 100*time.Millisecond) {
			t.Errorf("an operation ending at %v is seen at %v, %v late", ends, at, late)
		}
	}
}
