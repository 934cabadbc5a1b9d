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
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

const (
	openLoopLocations = 50
	openLoopSKUs      = 20
	// openLoopStoreLimit is the changes a second a Plus store takes: 1,000 points restored a
	// second, about 10 points a call, 250 changes a call.
	openLoopStoreLimit = 25_000
	// openLoopMaxOut is the most requests the senders have out at once.
	openLoopMaxOut = 4_096
	// openLoopP99 is the p99 under which a rate counts as carried.
	openLoopP99 = 250 * time.Millisecond
)

// openLoopRates are the offered rates, in events a second.
var openLoopRates = []int{250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 25_000, 32_000}

// openLoopStep is how long each rate is offered: 3s, or BENCH_RELAY_OPEN_STEP (a duration).
var openLoopStep = func() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("BENCH_RELAY_OPEN_STEP")); err == nil && d > 0 {
		return d
	}
	return 3 * time.Second
}()

// BenchmarkRelayOpenLoop offers events at fixed rates, whatever the answers take, spread over
// 50 locations of a fake Shopify Plus store answering each call after 20 ms, in requests of
// 50 events (one per location) and of one event. For each rate it prints the achieved rate,
// p50 and p99 latency from when each event was due (so a late send counts against the
// relay), changes per Shopify write, Shopify points per event, the events of requests the
// relay answered 429 or 503 (queue full, too many requests in flight) or that were not sent
// because 4,096 requests were out already, Shopify's THROTTLED
// answers to the relay, and the ratio of the achieved rate to
// the store's limit (25,000 changes a second on Plus). Rates rise until one is not carried
// (p99 of 250 ms or more, or under nine tenths achieved) twice, or fails an event; a line
// then gives the highest rate carried. BENCH_RELAY_CPUPROFILE=dir writes the CPU profile of
// that rate (the whole process: senders, relay, ledger and fake Shopify) to
// dir/saturation-<events per request>.pprof.
//
// A third run sends requests of 50 events to a channel with allocation rules (a buffer of 5
// and 50%), each event with its warehouse level, and ends with the ratio of its saturation
// to that of the first run.
func BenchmarkRelayOpenLoop(b *testing.B) {
	var without int
	for _, perRequest := range []int{50, 1} {
		b.Run(fmt.Sprintf("events-per-request=%d", perRequest), func(b *testing.B) {
			if n := benchOpenLoop(b, perRequest, nil); perRequest == 50 {
				without = n
			}
		})
	}
	b.Run("events-per-request=50,rules=buffer-5-and-50%", func(b *testing.B) {
		with := benchOpenLoop(b, 50, &v1alpha1.AllocationRules{Buffer: ptr(5), Percentage: ptr(50)})
		fmt.Printf("allocation rules: saturation %.2f of the saturation without\n", float64(with)/float64(max(without, 1)))
	})
}

func benchOpenLoop(b *testing.B, perRequest int, rules *v1alpha1.AllocationRules) (saturation int) {
	shop := shopifytest.New(shopifytest.Options{Plan: "Plus", Latency: 20 * time.Millisecond})
	defer shop.Close()
	ch := benchChannel(shop.URL)
	ch.Spec.Inventory.Allocation = rules
	scope := Scope{Channels: []v1alpha1.SalesChannel{ch}}
	items := make([]string, openLoopSKUs)
	for i := range items {
		_, items[i] = shop.AddVariant(fmt.Sprintf("SKU-%04d", i))
	}
	for l := range openLoopLocations {
		location := shop.AddLocation(fmt.Sprintf("wh-%02d", l))
		for _, item := range items {
			shop.SetAvailable(item, location, 1_000_000_000)
		}
		scope.Syncs = append(scope.Syncs, inventorySync(fmt.Sprintf("wh-%02d", l), "shop", fmt.Sprintf("warehouse-%02d", l), location))
	}
	svc, apiURL := serveBenchRelayWith(b, scope, nil)
	// A rate past saturation leaves a backlog: the relay stops at once rather than write it.
	defer svc.Kill()
	sender := &openLoopSender{url: apiURL + EventsPath, perRequest: perRequest, levels: rules != nil,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4096}}}

	// Warm the item caches with every SKU at every location before measuring: a relay that
	// has run a while has looked up the SKUs it is sent.
	for l := range openLoopLocations {
		warm := make([]Event, openLoopSKUs)
		for i := range warm {
			warm[i] = Event{ID: fmt.Sprintf("warm-%d-%d", l, i), Trigger: TriggerReceiveReceipt, SKU: fmt.Sprintf("SKU-%04d", i),
				FulfillmentChannel: fmt.Sprintf("warehouse-%02d", l), Increment: ptr(-1)}
			if rules != nil {
				warm[i].QuantityBefore, warm[i].QuantityAfter = ptr(900_000_001), ptr(900_000_000)
			}
		}
		if status, problem := sender.post(warm); status != http.StatusOK || problem != "" {
			b.Fatalf("warming: status %d %s", status, problem)
		}
	}

	profiles := os.Getenv("BENCH_RELAY_CPUPROFILE")
	fmt.Printf("%d locations, %d SKUs, 20 ms a Shopify call (Plus), %d event(s) a request, allocation rules: %v, %s a rate\n", openLoopLocations, openLoopSKUs, perRequest, rules != nil, openLoopStep)
	fmt.Println("| offered events/s | achieved events/s | p50 ms | p99 ms | changes/call | points/event | 429/503 to senders | THROTTLED from Shopify | failed | of the store's limit |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	b.ResetTimer()
	misses := 0
	var profile bytes.Buffer
	for _, rate := range openLoopRates {
		var current bytes.Buffer
		if profiles != "" {
			if err := pprof.StartCPUProfile(&current); err != nil {
				b.Fatal(err)
			}
		}
		before := shop.Stats()
		step := sender.offer(rate, openLoopStep)
		if profiles != "" {
			pprof.StopCPUProfile()
		}
		after := shop.Stats()
		writes := after.Calls["inventoryAdjustQuantities"] + after.Calls["inventorySetQuantities"] -
			before.Calls["inventoryAdjustQuantities"] - before.Calls["inventorySetQuantities"]
		changes := after.ItemsWritten - before.ItemsWritten
		p50, p99 := step.percentile(0.50), step.percentile(0.99)
		events := float64(len(step.latencies) + step.failed)
		fmt.Printf("| %d | %.0f | %.1f | %.1f | %.1f | %.3f | %d | %d | %d | %.3f |\n", rate, step.achieved(), ms(p50), ms(p99),
			float64(changes)/float64(max(writes, 1)), float64(after.PointsSpent-before.PointsSpent)/max(events, 1),
			step.rejected, after.Throttled-before.Throttled, step.failed, step.achieved()/openLoopStoreLimit)
		if step.failed > 0 {
			fmt.Printf("first failure: %s\n", step.firstFailure)
			break
		}
		if p99 < openLoopP99 && step.rejected == 0 && step.achieved() >= 0.9*float64(rate) {
			saturation = rate
			profile = current
			continue
		}
		if misses++; misses == 2 || step.achieved() < 0.5*float64(rate) {
			break
		}
	}
	fmt.Printf("saturation: %d events/s at %d locations (%.3f of the store's limit)\n", saturation, openLoopLocations, float64(saturation)/openLoopStoreLimit)
	if profiles != "" && profile.Len() > 0 {
		if err := os.WriteFile(filepath.Join(profiles, fmt.Sprintf("saturation-%d.pprof", perRequest)), profile.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(0, "ns/op")
	shop.AssertNoErrors(b)
	return saturation
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// openLoopSender sends requests on a schedule, each on its own, not waiting for earlier
// answers.
type openLoopSender struct {
	url        string
	perRequest int
	// levels: each event carries the warehouse's level after it, as allocation rules need.
	levels bool
	client *http.Client
	seq    int
	mu     sync.Mutex
}

// request is the next request's events: consecutive events go to consecutive locations, and
// each location's SKU moves on once every location had one.
func (s *openLoopSender) request() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	events := make([]Event, s.perRequest)
	for i := range events {
		s.seq++
		n := s.seq
		events[i] = Event{ID: fmt.Sprintf("open-%d", n), Trigger: TriggerReceiveReceipt, SKU: fmt.Sprintf("SKU-%04d", (n/openLoopLocations)%openLoopSKUs),
			FulfillmentChannel: fmt.Sprintf("warehouse-%02d", n%openLoopLocations), Increment: ptr(-1)}
		if s.levels {
			// A level that falls by one an event, as the increment says.
			after := int64(900_000_000 - n)
			events[i].QuantityBefore, events[i].QuantityAfter = ptr(after+1), ptr(after)
		}
	}
	return events
}

// post sends the events and returns the HTTP status, and the first channel result that is
// neither Pushed nor (for a 429) Throttled, if any.
func (s *openLoopSender) post(events []Event) (status int, problem string) {
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

// openLoopStepResult is what one rate gave; counts are of events.
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

// offer sends rate events a second for d, in requests each due at its own time, and waits
// for every answer. Latency runs from when a request was due, not from when it was sent.
func (s *openLoopSender) offer(rate int, d time.Duration) openLoopStepResult {
	var mu sync.Mutex
	var out openLoopStepResult
	var wg sync.WaitGroup
	// The process's file descriptors bound the connections out at once: a request due while
	// openLoopMaxOut are out is not sent, and counts as turned away.
	outSlots := make(chan struct{}, openLoopMaxOut)
	requests := max(int(float64(rate)*d.Seconds())/s.perRequest, 1)
	interval := time.Duration(float64(time.Second) * float64(s.perRequest) / float64(rate))
	start := time.Now()
	for i := range requests {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		events := s.request()
		select {
		case outSlots <- struct{}{}:
		default:
			mu.Lock()
			out.rejected += len(events)
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, problem := s.post(events)
			<-outSlots
			latency := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
				out.rejected += len(events)
			case status != http.StatusOK || problem != "":
				if out.failed += len(events); out.firstFailure == "" {
					out.firstFailure = fmt.Sprintf("status %d %s", status, problem)
				}
			default:
				for range events {
					out.latencies = append(out.latencies, latency)
				}
			}
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	slices.Sort(out.latencies)
	return out
}
