package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
)

// endlessReceiver answers every query with a page of items of sku and a new cursor.
func endlessReceiver(t *testing.T, items int, sku string) (*webhook.Connector, *atomic.Int32) {
	t.Helper()
	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := pages.Add(1)
		page := webhook.QueryResponse{NextCursor: fmt.Sprintf("c%d", n)}
		for i := range items {
			page.Items = append(page.Items, webhook.Item{ID: fmt.Sprintf("%d-%d", n, i), SKU: sku, Quantity: 1})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(srv.Close)
	c, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret, LocationID: "loc", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c, &pages
}

func TestAQueryForSKUsIsBoundedInPages(t *testing.T) {
	c, pages := endlessReceiver(t, 10, "OTHER")
	err := c.Items(context.Background(), []string{"A", "B"}, func(channel.Item) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "beyond 3 pages") {
		t.Fatalf("Items = %v, want the query stopped", err)
	}
	if pages.Load() != 3 {
		t.Errorf("the query read %d pages, want 3", pages.Load())
	}
}

func TestAQueryForSKUsIsBoundedInItemsPerSKU(t *testing.T) {
	c, _ := endlessReceiver(t, 70, "A")
	items := 0
	err := c.Items(context.Background(), []string{"A"}, func(channel.Item) error { items++; return nil })
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(`SKU "A" is on more than %d items`, channel.MaxItemsPerSKU)) {
		t.Fatalf("Items = %v, want the SKU's items bounded", err)
	}
	if items != channel.MaxItemsPerSKU {
		t.Errorf("%d items were handed on, want %d", items, channel.MaxItemsPerSKU)
	}
}
