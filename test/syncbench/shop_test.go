package syncbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

// benchSKU names the i-th SKU of the store and of the feed alike.
func benchSKU(i int) string { return fmt.Sprintf("SKU-%07d", i) }

// storeQuantity is the i-th SKU's available quantity on the store before a run.
func storeQuantity(i int) int64 { return int64(i % 7) }

// csvFeed renders a feed of n SKUs where the i-th SKU's level is level(i).
func csvFeed(n int, level func(i int) int64) []byte {
	var feed bytes.Buffer
	feed.Grow(n * 16)
	feed.WriteString("sku,quantity\n")
	for i := range n {
		fmt.Fprintf(&feed, "%s,%d\n", benchSKU(i), level(i))
	}
	return feed.Bytes()
}

// oneAbove is a feed level where the SKUs for which differs(i) holds are one unit above the
// store's quantity and all others equal it.
func oneAbove(differs func(i int) bool) func(i int) int64 {
	return func(i int) int64 {
		if differs(i) {
			return storeQuantity(i) + 1
		}
		return storeQuantity(i)
	}
}

// seededShop starts a fake store of the plan answering after latency, with n SKUs stocked
// at one location at storeQuantity, and returns it with the location's GID.
func seededShop(plan string, latency time.Duration, n int) (*shopifytest.Server, string) {
	shop := shopifytest.New(shopifytest.Options{Plan: plan, Latency: latency})
	location := shop.AddLocation("Berlin")
	shop.SeedSKUs(location, n, benchSKU, storeQuantity)
	return shop, location
}

// throttleStatus is the rate-limit bucket a Shopify response reports in
// extensions.cost.throttleStatus.
type throttleStatus struct {
	MaximumAvailable float64 `json:"maximumAvailable"`
	RestoreRate      float64 `json:"restoreRate"`
}

// reportedBucket asks the shop for its bucket, as every response's throttleStatus reports
// it, so the floor follows the shop's plan table rather than a copy of it.
func reportedBucket(b *testing.B, shop *shopifytest.Server) throttleStatus {
	b.Helper()
	body := strings.NewReader(`{"query":"{ locations(first: 1) { nodes { id } } }"}`)
	req, err := http.NewRequest(http.MethodPost, shop.URL+shopifytest.GraphQLPath, body)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", shop.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Extensions struct {
			Cost struct {
				ThrottleStatus throttleStatus `json:"throttleStatus"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		b.Fatalf("decoding the shop's response: %v", err)
	}
	ts := r.Extensions.Cost.ThrottleStatus
	if ts.MaximumAvailable <= 0 || ts.RestoreRate <= 0 {
		b.Fatalf("the shop reported no throttleStatus: %+v", ts)
	}
	return ts
}

// writePhase wraps the Shopify connector to note its point total when the run starts
// writing, so the points the writes spent can be told from those the catalog read spent.
type writePhase struct {
	*shopify.Connector
	once         sync.Once
	pointsBefore int64
	// firstWrite is when the run started writing: what came before is the catalog read.
	firstWrite time.Time
}

var _ channel.Connector = (*writePhase)(nil)

func (w *writePhase) Write(ctx context.Context, s v1alpha1.Strategy, key string, changes []channel.Change) ([]channel.ChangeResult, error) {
	w.once.Do(func() { w.pointsBefore, w.firstWrite = w.Stats().PointsSpent, time.Now() })
	return w.Connector.Write(ctx, s, key, changes)
}

// writePoints is the points spent since the first write.
func (w *writePhase) writePoints() int64 {
	w.once.Do(func() { w.pointsBefore = w.Stats().PointsSpent })
	return w.Stats().PointsSpent - w.pointsBefore
}
