package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
	"github.com/techoms/inventory-operator/internal/ledger/ledgertest"
)

// Sizes of the two reproductions of an unbounded relay: a Shopify answer of 300 MiB to an
// item lookup, and one event from a fulfillment channel connected to 4,000 locations.
const (
	hugeAnswerMiB   = 300
	fannedLocations = 4000
)

// reproduction is one run of BenchmarkRelayMemoryReproductions.
type reproduction struct {
	Name string `json:"name"`
	// Shopify is the URL of a store answering every call with hugeAnswerMiB; Webhook that of
	// a receiver holding testSKU at Locations locations.
	Shopify   string `json:"shopify,omitempty"`
	Webhook   string `json:"webhook,omitempty"`
	Locations int    `json:"locations,omitempty"`
	NATS      string `json:"nats"`
}

const reproductionChildEnv = "RELAY_MEMORY_REPRODUCTION_CHILD"

// BenchmarkRelayMemoryReproductions runs each reproduction in a relay process of its own
// with the default configuration and reports its peak resident memory (VmHWM) against the
// relay Deployment's limit: a Shopify answer of 300 MiB; one event fanned out to 4,000
// locations, which the relay refuses; and one event written to MaxLocationsPerEvent
// locations, the most it takes.
func BenchmarkRelayMemoryReproductions(b *testing.B) {
	huge := &hugeShopifyAnswer{}
	shop := httptest.NewServer(huge)
	defer shop.Close()
	receiver := webhooktest.NewReceiver([]byte(webhookSecret))
	for i := range fannedLocations {
		receiver.Put(fannedLocation(i), channel.Item{ID: fmt.Sprintf("item-%d", i), SKU: testSKU, Quantity: initialQuantity})
	}
	hook := httptest.NewServer(receiver)
	defer hook.Close()
	for _, run := range []reproduction{
		{Name: fmt.Sprintf("Shopify answer of %d MiB", hugeAnswerMiB), Shopify: shop.URL},
		{Name: fmt.Sprintf("one event to %d locations", fannedLocations), Webhook: hook.URL, Locations: fannedLocations},
		{Name: fmt.Sprintf("one event to %d locations (the cap)", MaxLocationsPerEvent), Webhook: hook.URL, Locations: MaxLocationsPerEvent},
	} {
		b.Run(run.Name, func(b *testing.B) {
			run.NATS = ledgertest.Start(b).URL
			spec, _ := json.Marshal(run)
			cmd := exec.Command(os.Args[0], "-test.run=^TestRelayMemoryReproductionChild$", "-test.v")
			cmd.Env = append(os.Environ(), reproductionChildEnv+"="+string(spec))
			out, err := cmd.CombinedOutput()
			if err != nil {
				b.Fatalf("child: %v\n%s", err, out)
			}
			var fig struct {
				memoryFigures
				Outcome string `json:"outcome"`
			}
			found := false
			for line := range strings.Lines(string(out)) {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "relay-memory: "); ok {
					found = json.Unmarshal([]byte(rest), &fig) == nil
				}
			}
			if !found {
				b.Fatalf("the child reported no figures:\n%s", out)
			}
			peak := float64(fig.PeakRSSKiB) / 1024
			b.ReportMetric(peak, "peak-rss-MiB")
			b.ReportMetric(relayMemoryLimitMiB, "limit-MiB")
			b.ReportMetric(0, "ns/op")
			if run.Shopify != "" {
				fig.Outcome += fmt.Sprintf("; %d answers of %d MiB begun", huge.served.Swap(0), hugeAnswerMiB)
			}
			fmt.Printf("relay memory, %s: peak RSS %.1f MiB (limit %d MiB), live heap after %.1f MiB; %s\n",
				run.Name, peak, relayMemoryLimitMiB, float64(fig.LiveHeap)/(1<<20), fig.Outcome)
			if peak > relayMemoryLimitMiB {
				b.Errorf("peak RSS %.0f MiB is over the %d MiB limit", peak, relayMemoryLimitMiB)
			}
		})
	}
}

func fannedLocation(i int) string { return fmt.Sprintf("loc-%04d", i) }

// hugeShopifyAnswer answers every GraphQL call with a well-formed answer of hugeAnswerMiB:
// one variant of testSKU padded with a long string, streamed so this process holds little.
type hugeShopifyAnswer struct {
	// served counts the answers begun.
	served atomic.Int64
}

func (h *hugeShopifyAnswer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.served.Add(1)
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	head := `{"data":{"productVariants":{"nodes":[{"id":"gid://shopify/ProductVariant/1","sku":"` + testSKU + `","title":"`
	tail := `"}],"pageInfo":{"hasNextPage":false,"endCursor":null}}}}`
	if _, err := io.WriteString(w, head); err != nil {
		return
	}
	chunk := []byte(strings.Repeat("x", 1<<20))
	for range hugeAnswerMiB {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, tail)
}

// TestRelayMemoryReproductionChild is the child of BenchmarkRelayMemoryReproductions; it
// does nothing otherwise.
func TestRelayMemoryReproductionChild(t *testing.T) {
	spec := os.Getenv(reproductionChildEnv)
	if spec == "" {
		t.Skip("run by BenchmarkRelayMemoryReproductions")
	}
	var run reproduction
	if err := json.Unmarshal([]byte(spec), &run); err != nil {
		t.Fatal(err)
	}
	var scope Scope
	dir := NewStaticDirectory(scope)
	switch {
	case run.Shopify != "":
		scope.Channels = []v1alpha1.SalesChannel{{
			ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: testNamespace},
			Spec: v1alpha1.SalesChannelSpec{
				Platform:   v1alpha1.PlatformShopify,
				Connection: v1alpha1.ChannelConnection{URL: run.Shopify, Plan: v1alpha1.PlanPlus, CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: "shop-admin", Key: "token"}},
				Inventory:  v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeRealTimeAdjustment},
			},
		}}
		scope.Syncs = []v1alpha1.InventorySync{inventorySync("shop-sync", "shop", testWarehouse, "gid://shopify/Location/1")}
		dir.SetCredential(testNamespace, "shop-admin", "token", []byte("shop-token"))
	default:
		scope.Channels = []v1alpha1.SalesChannel{memoryWebhookChannel(run.Webhook)}
		for i := range run.Locations {
			scope.Syncs = append(scope.Syncs, inventorySync(fmt.Sprintf("hook-sync-%04d", i), "hook", testWarehouse, fannedLocation(i)))
		}
		dir.SetCredential(testNamespace, "hook-secret", "secret", []byte(webhookSecret))
	}
	dir.Set(scope)
	svc, store := memoryChildRelay(t, dir, run.NATS)
	defer store.Close()
	// Kill, not Close: a lane still retrying the huge answer would hold Close back.
	defer svc.Kill()
	// Sampled while the event is handled, since the relay may go on retrying after the answer.
	var peakHeap atomic.Int64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peakHeap.Store(max(peakHeap.Load(), int64(ms.HeapInuse)))
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), DefaultResponseTimeout)
	defer cancel()
	resp, err := svc.Handle(ctx, []Event{receipt("reproduction", 1)})
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	outcome := describeOutcome(resp)
	fig := struct {
		memoryFigures
		Outcome string `json:"outcome"`
	}{memoryFigures{HeapInuse: peakHeap.Load()}, outcome}
	fig.PeakRSSKiB, fig.RSSKiB = procStatusKiB(t, "VmHWM:"), procStatusKiB(t, "VmRSS:")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fig.LiveHeap = int64(ms.HeapAlloc)
	out, _ := json.Marshal(fig)
	fmt.Printf("relay-memory: %s\n", out)
}

// describeOutcome sums up what the relay answered for the one event: refused with its
// reason, or how many channel locations ended in each status.
func describeOutcome(resp Response) string {
	if len(resp.Errors) > 0 {
		return "refused: " + resp.Errors[0].Reason
	}
	counts := map[Status]int{}
	other := ""
	for _, er := range resp.Results {
		for _, cr := range er.Channels {
			counts[cr.Status]++
			if cr.Status != StatusPushed && other == "" {
				other = fmt.Sprintf(" (%s: %s)", cr.Reason, cr.Message)
			}
		}
	}
	parts := make([]string, 0, len(counts))
	for status, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, status))
	}
	return "answered " + strings.Join(parts, ", ") + other
}
