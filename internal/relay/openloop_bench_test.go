package relay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

const (
	openLoopLocations = 50
	openLoopSKUs      = 20
)

// openLoopStep is how long each rate is offered: 3s, or BENCH_RELAY_OPEN_STEP (a duration),
// long enough to empty the fake store's bucket when a rate overspends it.
var openLoopStep = func() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("BENCH_RELAY_OPEN_STEP")); err == nil && d > 0 {
		return d
	}
	return 3 * time.Second
}()

// BenchmarkRelayOpenLoop offers events at fixed rates, whatever the answers take, spread over
// 50 locations of a fake Shopify Plus store answering each call after 20 ms, one event per
// request as a warehouse system sends them. For each rate it prints the achieved rate, p50
// and p99 latency from when the event was due (so a late send counts against the relay),
// channel calls per event, 429s (the relay's to the sender and Shopify's to the relay), and
// the Shopify rate-limit points spent a second (Plus restores 1,000 a second).
// The rate doubles from 25 a second until p99 is twice that of the first rate, or 429s or
// failed events start, or the relay no longer keeps up. BENCH_RELAY_CPUPROFILE=dir writes a CPU profile of each rate (the whole
// process: sender, relay and fake Shopify).
//
// It runs twice: with a rate-limit bucket per channel location, as connectors pace when each
// keeps its own model of the store's one bucket, and with one bucket per store, as the relay
// paces; each table gives Shopify's THROTTLED answers per event.
func BenchmarkRelayOpenLoop(b *testing.B) {
	b.Run("buckets=per-location", func(b *testing.B) { benchOpenLoop(b, bucketPerLocation) })
	b.Run("buckets=per-store", func(b *testing.B) { benchOpenLoop(b, nil) })
}

// bucketPerLocation builds Shopify connectors that each model the store's bucket alone.
func bucketPerLocation(ch *v1alpha1.SalesChannel, location string, credential []byte) (channel.Connector, error) {
	conn := ch.Spec.Connection
	return shopify.New(shopify.Config{BaseURL: conn.URL, Token: string(credential), LocationID: location, Plan: conn.Plan,
		QuantityName: ch.Spec.Inventory.Quantity(), Sleep: meteredSleep(ch.Spec.Platform)})
}

func benchOpenLoop(b *testing.B, connect ConnectorFactory) {
	shop := shopifytest.New(shopifytest.Options{Plan: "Plus", Latency: 20 * time.Millisecond})
	defer shop.Close()
	scope := Scope{Channels: []v1alpha1.SalesChannel{benchChannel(shop.URL)}}
	items := make([]string, openLoopSKUs)
	for i := range items {
		_, items[i] = shop.AddVariant(fmt.Sprintf("SKU-%04d", i))
	}
	for l := range openLoopLocations {
		location := shop.AddLocation(fmt.Sprintf("wh-%02d", l))
		for _, item := range items {
			shop.SetAvailable(item, location, 1_000_000)
		}
		scope.Syncs = append(scope.Syncs, inventorySync(fmt.Sprintf("wh-%02d", l), "shop", fmt.Sprintf("warehouse-%02d", l), location))
	}
	_, apiURL := serveBenchRelayWith(b, scope, connect)
	sender := &openLoopSender{url: apiURL + EventsPath, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4096}}}

	// Warm each location's item cache with every SKU before measuring: a relay that has run a
	// while has looked up the SKUs it is sent.
	for l := range openLoopLocations {
		warm := make([]Event, openLoopSKUs)
		for i := range warm {
			warm[i] = Event{ID: fmt.Sprintf("warm-%d-%d", l, i), Trigger: TriggerReceiveReceipt, SKU: fmt.Sprintf("SKU-%04d", i),
				FulfillmentChannel: fmt.Sprintf("warehouse-%02d", l), Increment: ptr(-1)}
		}
		if status, problem := sender.send(warm...); status != http.StatusOK || problem != "" {
			b.Fatalf("warming: status %d %s", status, problem)
		}
	}

	profiles := os.Getenv("BENCH_RELAY_CPUPROFILE")
	fmt.Printf("%d locations, %d SKUs, 20 ms a Shopify call, one event a request, %s a rate\n", openLoopLocations, openLoopSKUs, openLoopStep)
	fmt.Println("| offered events/s | achieved events/s | p50 ms | p99 ms | channel calls/event | 429 to sender | 429 from Shopify | THROTTLED/event | failed | Shopify points/s |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	b.ResetTimer()
	var firstP99 time.Duration
	for rate := 25; rate <= 51_200; rate *= 2 {
		if profiles != "" {
			f, err := os.Create(filepath.Join(profiles, fmt.Sprintf("relay-%d.pprof", rate)))
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				b.Fatal(err)
			}
			defer f.Close()
		}
		before := shop.Stats()
		step := sender.offer(rate, openLoopStep)
		if profiles != "" {
			pprof.StopCPUProfile()
		}
		after := shop.Stats()
		calls, shopThrottled := after.Requests-before.Requests, after.Throttled-before.Throttled
		p50, p99 := step.percentile(0.50), step.percentile(0.99)
		events := float64(len(step.latencies) + step.failed)
		fmt.Printf("| %d | %.0f | %.1f | %.1f | %.3f | %d | %d | %.4f | %d | %.0f |\n", rate, step.achieved(), ms(p50), ms(p99),
			float64(calls)/events, step.rejected, shopThrottled, float64(shopThrottled)/events, step.failed,
			float64(after.PointsSpent-before.PointsSpent)/step.elapsed.Seconds())
		if step.failed > 0 {
			fmt.Printf("first failure: %s\n", step.firstFailure)
		}
		if firstP99 == 0 {
			firstP99 = p99
		}
		if p99 >= 2*firstP99 || step.rejected > 0 || shopThrottled > 0 || step.failed > 0 || step.achieved() < 0.9*float64(rate) {
			break
		}
	}
	b.ReportMetric(0, "ns/op")
	shop.AssertNoErrors(b)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// openLoopSender sends events on a schedule, each on its own, not waiting for earlier answers.
type openLoopSender struct {
	url    string
	client *http.Client
	seq    int
	mu     sync.Mutex
}

func (s *openLoopSender) event() Event {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	return Event{ID: fmt.Sprintf("open-%d", n), Trigger: TriggerReceiveReceipt, SKU: fmt.Sprintf("SKU-%04d", (n/openLoopLocations)%openLoopSKUs),
		FulfillmentChannel: fmt.Sprintf("warehouse-%02d", n%openLoopLocations), Increment: ptr(-1)}
}

// send posts the events and returns the HTTP status, and the first channel result that is
// neither Pushed nor (for a 429) Throttled, if any.
func (s *openLoopSender) send(events ...Event) (status int, problem string) {
	body, _ := json.Marshal(Request{Events: events})
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := s.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	var resp Response
	if err := json.NewDecoder(res.Body).Decode(&resp); err != nil {
		return res.StatusCode, err.Error()
	}
	for _, r := range resp.Results {
		for _, c := range r.Channels {
			if c.Status != StatusPushed && c.Status != StatusThrottled {
				return res.StatusCode, fmt.Sprintf("%s %s: %s", c.Status, c.Reason, c.Message)
			}
		}
	}
	return res.StatusCode, ""
}

// openLoopStepResult is what one rate gave.
type openLoopStepResult struct {
	latencies        []time.Duration
	rejected, failed int
	firstFailure     string
	elapsed          time.Duration
}

func (r openLoopStepResult) achieved() float64 {
	return float64(len(r.latencies)) / r.elapsed.Seconds()
}

func (r openLoopStepResult) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
}

// offer sends rate events a second for d, each due at its own time, and waits for every
// answer. Latency runs from when an event was due, not from when it was sent.
func (s *openLoopSender) offer(rate int, d time.Duration) openLoopStepResult {
	var mu sync.Mutex
	var out openLoopStepResult
	var wg sync.WaitGroup
	total := int(float64(rate) * d.Seconds())
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for i := range total {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, problem := s.send(s.event())
			latency := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case status == http.StatusTooManyRequests:
				out.rejected++
			case status != http.StatusOK || problem != "":
				if out.failed++; out.firstFailure == "" {
					out.firstFailure = fmt.Sprintf("status %d %s", status, problem)
				}
			default:
				out.latencies = append(out.latencies, latency)
			}
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	slices.Sort(out.latencies)
	return out
}
