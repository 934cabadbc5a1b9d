package syncbench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/reservation"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

// reservedEvery is one SKU in how many with a reservation: 10% of them.
const reservedEvery = 10

// reservationsRelay serves, on loopback, the reservations a relay would: one unit of every
// reservedEvery-th SKU, an order after snapshot.
func reservationsRelay(n int, snapshot time.Time) *httptest.Server {
	list := reservation.List{Reservations: make([]reservation.Entry, 0, n/reservedEvery)}
	for i := 0; i < n; i += reservedEvery {
		list.Reservations = append(list.Reservations, reservation.Entry{
			EventID: fmt.Sprintf("order-%d", i), SKU: benchSKU(i), Units: 1, SalesChannel: "b2b", OccurredAt: snapshot.Add(time.Minute),
		})
	}
	body, _ := json.Marshal(list)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
}

// BenchmarkSync100kTenPercentReserved syncs 100,000 SKUs that all differ, 10% of them with a
// reservation read from a relay endpoint, and reports the run's length against the
// rate-limit floor: subtracting reservations, and reading them, must cost the run no
// throughput. The reserved SKUs' feed levels are two above the store's and one unit is
// reserved, so every SKU is written one above the store's.
func BenchmarkSync100kTenPercentReserved(b *testing.B) {
	snapshot := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	relay := reservationsRelay(skus100k, snapshot)
	defer relay.Close()
	level := func(i int) int64 {
		if i%reservedEvery == 0 {
			return storeQuantity(i) + 2
		}
		return storeQuantity(i) + 1
	}
	for range b.N {
		run := runAgainstStandard(b, level, allocation.Rules{}, func(o *syncrun.Options) {
			o.Levels = syncrun.StaticLevels{Levels: o.Levels.(syncrun.StaticLevels).Levels.WithSnapshot(snapshot)}
			o.Reservations = reservation.RelaySource{URL: relay.URL, Token: "bench", FulfillmentChannel: "warehouse", SalesChannel: "shop"}
		})
		counts := run.report.Result.SKUs
		if written := run.shop.Stats().ItemsWritten; counts.Updated != skus100k || written != skus100k {
			b.Fatalf("want %d updated and written, got result %+v and %d items written", skus100k, counts, written)
		}
		if r := run.report.Result.Reserved; r == nil || r.SKUs != skus100k/reservedEvery || r.Units != skus100k/reservedEvery {
			b.Fatalf("reserved %+v, want one unit of each of %d SKUs", r, skus100k/reservedEvery)
		}
		checkShows(b, run, []int{0, 1, reservedEvery, skus100k - reservedEvery}, func(i int) int64 { return storeQuantity(i) + 1 })
		reportFloorRatio(b, run, "all different, 10% reserved")
		run.shop.AssertNoErrors(b)
		run.shop.Close()
	}
}

// checkShows reads the SKUs at indexes back from the store and checks each shows want(i).
func checkShows(b *testing.B, run syncRun, indexes []int, want func(i int) int64) {
	b.Helper()
	skus := make([]string, len(indexes))
	wanted := map[string]int64{}
	for k, i := range indexes {
		skus[k] = benchSKU(i)
		wanted[skus[k]] = want(i)
	}
	seen := 0
	err := run.conn.Items(b.Context(), skus, func(item channel.Item) error {
		if w, ok := wanted[item.SKU]; ok {
			seen++
			if item.Quantity != w {
				b.Errorf("%s shows %d, want %d", item.SKU, item.Quantity, w)
			}
		}
		return nil
	})
	if err != nil || seen != len(indexes) {
		b.Fatalf("reading back %v: %d seen, %v", skus, seen, err)
	}
}
