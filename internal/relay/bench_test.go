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
	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

// benchDuration is how long each case sends events, whatever b.N says.
const benchDuration = 3 * time.Second

// benchStartLevel is the warehouse's level of every SKU when a case starts; the store shows
// what the case's rules make of it.
const benchStartLevel = 1_000_000

// benchRules is a case of BenchmarkRelay: the channel's allocation rules, nil for none.
type benchRules struct {
	name  string
	label string
	rules *v1alpha1.AllocationRules
}

var (
	benchNoRules = benchRules{name: "none"}
	// benchBufferHalf holds 5 units back and shows half of the rest, as in docs/relay.md.
	benchBufferHalf = benchRules{name: "buffer+percentage", label: "buffer 5, 50%",
		rules: &v1alpha1.AllocationRules{Buffer: ptr(5), Percentage: ptr(50)}}
)

// benchFigures is what a case of BenchmarkRelay measured.
type benchFigures struct {
	eventsPerSec, p50, p99 float64
}

// BenchmarkRelay sends one event per request from 1, 10 and 100 concurrent senders, over
// loopback, to a relay in front of a fake Shopify Plus store answering each call after 20 ms,
// and reports events per second, request-to-response percentiles, and channel calls per event.
// Each sender count runs without allocation rules (increments, the baseline) and with a
// buffer and a percentage (events carry the warehouse's levels; the relay reads the items and
// writes their difference from the target), and prints the second's figures against the
// first's.
func BenchmarkRelay(b *testing.B) {
	for _, senders := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			var none, rules benchFigures
			b.Run("rules="+benchNoRules.name, func(b *testing.B) { none = benchRelay(b, senders, benchNoRules) })
			b.Run("rules="+benchBufferHalf.name, func(b *testing.B) { rules = benchRelay(b, senders, benchBufferHalf) })
			if none.eventsPerSec == 0 || rules.eventsPerSec == 0 {
				return
			}
			fmt.Printf("relay, %s: with allocation rules (%s) %.0f events/s, p99 %.0f ms; without %.0f events/s, p99 %.0f ms; ratio %.2f events/s, %.2f p99\n",
				plural(senders, "sender"), benchBufferHalf.label, rules.eventsPerSec, rules.p99, none.eventsPerSec, none.p99,
				rules.eventsPerSec/none.eventsPerSec, rules.p99/none.p99)
		})
	}
}

// benchRelay runs one case. Without rules, events are increments of -1. Under rules, each
// also carries the SKU's levels before and after it, which the senders keep per SKU; at the
// end every SKU must show what the rules make of its last level.
func benchRelay(b *testing.B, senders int, rc benchRules) benchFigures {
	rules := rc.rules.Rules()
	shop := shopifytest.New(shopifytest.Options{Plan: "Plus", Latency: 20 * time.Millisecond})
	defer shop.Close()
	location := shop.AddLocation("bench")
	const skus = 500
	items := make([]string, skus)
	levels := make([]atomic.Int64, skus)
	for i := range skus {
		_, items[i] = shop.AddVariant(fmt.Sprintf("SKU-%04d", i))
		shop.SetAvailable(items[i], location, allocation.Apply(rules, benchStartLevel))
		levels[i].Store(benchStartLevel)
	}
	ch := benchChannel(shop.URL)
	ch.Spec.Inventory.Allocation = rc.rules
	svc, apiURL := serveBenchRelay(b, Scope{
		Channels: []v1alpha1.SalesChannel{ch},
		Syncs:    []v1alpha1.InventorySync{inventorySync("bench", "shop", testWarehouse, location)},
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}

	var seq atomic.Int64
	eventOf := func(sku int) Event {
		n := seq.Add(1)
		after := levels[sku].Add(-1)
		e := Event{ID: fmt.Sprintf("bench-%d", n), Trigger: TriggerReceiveReceipt, SKU: fmt.Sprintf("SKU-%04d", sku), FulfillmentChannel: testWarehouse, Increment: ptr(-1)}
		if rc.rules != nil {
			e.QuantityBefore, e.QuantityAfter = ptr(after+1), ptr(after)
		}
		return e
	}
	var next atomic.Int64
	event := func() Event { return eventOf(int(next.Add(1) % skus)) }
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
		if err == nil && res.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d, %+v", res.StatusCode, resp.Results)
		}
		for i := range resp.Results {
			if err == nil && resp.Results[i].Channels[0].Status != StatusPushed {
				err = fmt.Errorf("status %d, %+v", res.StatusCode, resp.Results[i])
			}
		}
		return time.Since(start), err
	}
	// Warm the item cache with every SKU, in one request, before measuring.
	warm := make([]Event, skus)
	for i := range warm {
		warm[i] = eventOf(i)
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

	// Events of one SKU from two senders may reach the relay out of the order of their levels,
	// and under rules the last one received sets the target: one more event for every SKU,
	// after every answer, settles each on its last level before the store is checked.
	settle := make([]Event, skus)
	for i := range settle {
		settle[i] = eventOf(i)
	}
	if _, err := send(settle...); err != nil {
		b.Fatal(err)
	}
	for i, item := range items {
		if want, got := allocation.Apply(rules, levels[i].Load()), shop.Available(item, location); got != want {
			b.Fatalf("SKU-%04d at level %d shows %d, want %d", i, levels[i].Load(), got, want)
		}
	}
	shop.AssertNoErrors(b)
	return benchFigures{eventsPerSec: float64(events) / elapsed.Seconds(), p50: percentile(0.50), p99: percentile(0.99)}
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
