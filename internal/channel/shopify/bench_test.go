package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

// BenchmarkWrite100kChangesOnStandard pushes 100,000 absolute changes to a Standard store
// answering after 20 ms, in real time, and reports the run's length against the rate-limit
// floor: 400 calls of 10 points, less the full bucket, at the restore rate, both as the
// shop reports them in throttleStatus.
func BenchmarkWrite100kChangesOnStandard(b *testing.B) {
	const n, latency = 100_000, 20 * time.Millisecond
	for range b.N {
		b.StopTimer()
		shop := shopifytest.New(shopifytest.Options{Plan: "Standard", Token: testToken, Latency: latency})
		location := shop.AddLocation("Berlin")
		seeded := shop.SeedSKUs(location, n, func(i int) string { return "SKU-" + strconv.Itoa(i) }, func(int) int64 { return 0 })
		conn, err := New(Config{BaseURL: shop.URL, Token: testToken, LocationID: location, Plan: v1alpha1.PlanStandard})
		if err != nil {
			b.Fatal(err)
		}
		changes := make([]channel.Change, n)
		for i := range changes {
			changes[i] = channel.Change{ItemID: seeded.InventoryItemGID(i), Quantity: int64(i % 7)}
		}
		b.StartTimer()
		start := time.Now()
		for call := 0; call*maxChanges < n; call++ {
			batch := changes[call*maxChanges : min((call+1)*maxChanges, n)]
			if _, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "bench-"+strconv.Itoa(call), batch); err != nil {
				b.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		b.StopTimer()
		st := conn.Stats()
		// Asked after the run, so the probe's own cost cannot delay the writes.
		limits := reportedBucket(b, shop)
		floor := time.Duration((float64(st.PointsSpent) - limits.MaximumAvailable) / limits.RestoreRate * float64(time.Second))
		if floor <= 0 {
			b.Fatalf("%d points spent fit in the %v-point bucket: no rate-limit floor to compare with", st.PointsSpent, limits.MaximumAvailable)
		}
		ratio := elapsed.Seconds() / floor.Seconds()
		b.Logf("measured %v, floor %v (%d points, %v-point bucket, %v points/s), ratio %.3f",
			elapsed.Round(time.Millisecond), floor, st.PointsSpent, limits.MaximumAvailable, limits.RestoreRate, ratio)
		b.ReportMetric(ratio, "x-floor")
		b.ReportMetric(float64(st.Calls), "calls")
		b.ReportMetric(float64(st.Throttled), "throttled")
		shop.AssertNoErrors(b)
		shop.Close()
	}
}

// reportedBucket asks the shop for its rate-limit bucket, as the throttleStatus every
// response carries reports it, so the floor follows the shop's plan table.
func reportedBucket(b *testing.B, shop *shopifytest.Server) throttleStatus {
	b.Helper()
	body, err := json.Marshal(graphQLRequest{Query: `{ locations(first: 1) { nodes { id } } }`})
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, shop.URL+shopifytest.GraphQLPath, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var r graphQLResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		b.Fatalf("decoding the shop's response: %v", err)
	}
	if r.Extensions.Cost == nil || r.Extensions.Cost.ThrottleStatus == nil ||
		r.Extensions.Cost.ThrottleStatus.MaximumAvailable <= 0 || r.Extensions.Cost.ThrottleStatus.RestoreRate <= 0 {
		b.Fatalf("the shop reported no throttleStatus: %+v", r.Extensions.Cost)
	}
	return *r.Extensions.Cost.ThrottleStatus
}

// BenchmarkItemsBulkMillion reads a million variants through a bulk operation and reports the
// heap the stream added, sampled every 100,000 items, beyond what the shop itself holds.
func BenchmarkItemsBulkMillion(b *testing.B) {
	const n = 1_000_000
	for range b.N {
		b.StopTimer()
		shop := shopifytest.New(shopifytest.Options{Plan: "Standard", Token: testToken})
		location := shop.AddLocation("Berlin")
		shop.SeedSKUs(location, n, func(i int) string { return "SKU-" + strconv.Itoa(i) }, func(i int) int64 { return int64(i % 9) })
		conn, err := New(Config{BaseURL: shop.URL, Token: testToken, LocationID: location, BulkPollInterval: 50 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		base := heapInUse()
		var peak uint64
		seen := 0
		b.StartTimer()
		err = conn.Items(context.Background(), nil, func(channel.Item) error {
			if seen++; seen%100_000 == 0 {
				peak = max(peak, heapInUse())
			}
			return nil
		})
		b.StopTimer()
		if err != nil || seen != n {
			b.Fatalf("read %d items: %v", seen, err)
		}
		b.ReportMetric(float64(int64(peak)-int64(base))/(1<<20), "MiB-added")
		shop.AssertNoErrors(b)
		shop.Close()
	}
}
