package relay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

// benchDuration is how long each case sends events, whatever b.N says.
const benchDuration = 3 * time.Second

// BenchmarkRelay sends one event per request from 1, 10 and 100 concurrent senders, over
// loopback, to a relay in front of a fake Shopify Plus store answering each call after 20 ms,
// and reports events per second, request-to-response percentiles, and channel calls per event.
func BenchmarkRelay(b *testing.B) {
	for _, senders := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) { benchRelay(b, senders) })
	}
}

func benchRelay(b *testing.B, senders int) {
	shop := shopifytest.New(shopifytest.Options{Plan: "Plus", Latency: 20 * time.Millisecond})
	defer shop.Close()
	location := shop.AddLocation("bench")
	const skus = 500
	for i := range skus {
		_, item := shop.AddVariant(fmt.Sprintf("SKU-%04d", i))
		shop.SetAvailable(item, location, 1_000_000)
	}
	svc, apiURL := serveBenchRelay(b, Scope{
		Channels: []v1alpha1.SalesChannel{benchChannel(shop.URL)},
		Syncs:    []v1alpha1.InventorySync{inventorySync("bench", "shop", testWarehouse, location)},
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}

	var seq atomic.Int64
	event := func() Event {
		n := seq.Add(1)
		return Event{ID: fmt.Sprintf("bench-%d", n), Trigger: TriggerReceiveReceipt, SKU: fmt.Sprintf("SKU-%04d", n%skus), FulfillmentChannel: testWarehouse, Increment: ptr(-1)}
	}
	send := func(events ...Event) (time.Duration, error) {
		body, _ := json.Marshal(Request{Events: events})
		req, _ := http.NewRequest(http.MethodPost, apiURL+EventsPath, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		var resp Response
		err = json.NewDecoder(res.Body).Decode(&resp)
		res.Body.Close()
		if err == nil && (res.StatusCode != http.StatusOK || resp.Results[0].Channels[0].Status != StatusPushed) {
			err = fmt.Errorf("status %d, %+v", res.StatusCode, resp.Results)
		}
		return time.Since(start), err
	}
	// Warm the item cache with every SKU, in one request, before measuring.
	warm := make([]Event, skus)
	for i := range warm {
		warm[i] = event()
	}
	if _, err := send(warm...); err != nil {
		b.Fatal(err)
	}
	callsBefore, writesBefore := shop.Stats().Requests, svc.Stats().Writes

	var mu sync.Mutex
	var latencies []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	deadline := start.Add(benchDuration)
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				d, err := send(event())
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
				mine = append(mine, d)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	slices.Sort(latencies)
	events := len(latencies)
	calls := shop.Stats().Requests - callsBefore
	percentile := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(percentile(0.50), "p50-ms")
	b.ReportMetric(percentile(0.99), "p99-ms")
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(float64(calls), "channel-calls")
	b.ReportMetric(float64(svc.Stats().Writes-writesBefore), "writes")
	b.ReportMetric(float64(calls)/float64(events), "calls/event")
	b.ReportMetric(0, "ns/op")
	shop.AssertNoErrors(b)
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
