package shopify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/channel"
)

// hostileStore answers every GraphQL call with page(n), n counting the calls from 1.
func hostileStore(t *testing.T, page func(n int) string) (*Connector, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(page(int(n))))
	}))
	t.Cleanup(srv.Close)
	// A fake clock: the pacer's waits for the rate limit pass at once.
	var mu sync.Mutex
	clock := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		clock = clock.Add(d)
		mu.Unlock()
		return ctx.Err()
	}
	conn, err := New(Config{BaseURL: srv.URL, Token: testToken, LocationID: "1", MaxAttempts: 1, PageSize: 50, Now: now, Sleep: sleep})
	if err != nil {
		t.Fatal(err)
	}
	return conn, &calls
}

// variantsPageAnswer is a page of variants, all with sku, and a next page when more.
func variantsPageAnswer(n, variants int, sku string, more bool) string {
	nodes := make([]string, variants)
	for i := range nodes {
		nodes[i] = fmt.Sprintf(`{"sku":%q,"inventoryItem":{"id":"gid://shopify/InventoryItem/%d-%d","tracked":true,"inventoryLevel":{"quantities":[{"name":"available","quantity":1}]}}}`, sku, n, i)
	}
	return fmt.Sprintf(`{"data":{"productVariants":{"nodes":[%s],"pageInfo":{"hasNextPage":%v,"endCursor":"c%d"}}}}`, strings.Join(nodes, ","), more, n)
}

// One answer must not grow a sync pod or the relay without bound.
func TestAGraphQLAnswerIsDecodedWithACap(t *testing.T) {
	huge := `{"data":{"productVariants":{"nodes":[],"pageInfo":{"hasNextPage":false}}},"padding":"` + strings.Repeat("x", maxResponseBytes) + `"}`
	conn, calls := hostileStore(t, func(int) string { return huge })
	err := conn.Items(context.Background(), []string{"A"}, func(channel.Item) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "answer exceeds 16 MiB") {
		t.Fatalf("Items = %v, want the answer refused for its size", err)
	}
	if calls.Load() != 1 {
		t.Errorf("the oversized answer was asked for %d times, want once", calls.Load())
	}
}

// A store that pages without end is stopped after the pages a search can need.
func TestASearchIsBoundedInPages(t *testing.T) {
	conn, calls := hostileStore(t, func(n int) string { return variantsPageAnswer(n, 50, "OTHER", true) })
	err := conn.Items(context.Background(), []string{"A", "B"}, func(channel.Item) error { return nil })
	want := conn.maxSearchPages(2)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("beyond %d pages", want)) {
		t.Fatalf("Items = %v, want the search stopped after %d pages", err, want)
	}
	if int(calls.Load()) != want {
		t.Errorf("the search asked for %d pages, want %d", calls.Load(), want)
	}

	conn, calls = hostileStore(t, func(n int) string {
		return strings.Replace(variantsPageAnswer(n, 1, "OTHER", true), fmt.Sprintf(`"c%d"`, n), `"same"`, 1)
	})
	if err := conn.Items(context.Background(), []string{"A"}, func(channel.Item) error { return nil }); err == nil || !strings.Contains(err.Error(), "repeats its cursor") {
		t.Errorf("Items = %v, want the repeated cursor refused", err)
	}
	if calls.Load() != 2 {
		t.Errorf("a repeated cursor was followed: %d pages", calls.Load())
	}
}

// A store that shows one SKU on endless variants is stopped at channel.MaxItemsPerSKU.
func TestASearchIsBoundedInItemsPerSKU(t *testing.T) {
	conn, _ := hostileStore(t, func(n int) string { return variantsPageAnswer(n, 50, "A", true) })
	items := 0
	err := conn.Items(context.Background(), []string{"A"}, func(channel.Item) error { items++; return nil })
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(`SKU "A" is on more than %d variants`, channel.MaxItemsPerSKU)) {
		t.Fatalf("Items = %v, want the SKU's variants bounded", err)
	}
	if items != channel.MaxItemsPerSKU {
		t.Errorf("%d items were handed on, want %d", items, channel.MaxItemsPerSKU)
	}
}
