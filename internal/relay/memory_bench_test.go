package relay

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/ledger/ledgertest"
)

// relayMemoryLimitMiB is the memory limit of the relay Deployment (config/relay).
const relayMemoryLimitMiB = 512

// memoryRun is what the parent asks of the child, and memoryFigures what the child reports.
type memoryRun struct {
	URL    string `json:"url"`
	IDLen  int    `json:"idLen"`
	Events int    `json:"events"`
	// NATS is the ledger's server, run by the parent so the child's memory is the relay's.
	NATS string `json:"nats"`
}

type memoryFigures struct {
	PeakRSSKiB int64 `json:"peakRSSKiB"`
	RSSKiB     int64 `json:"rssKiB"`
	HeapInuse  int64 `json:"heapInuse"`
	LiveHeap   int64 `json:"liveHeap"`
}

const (
	memoryChildEnv = "RELAY_MEMORY_CHILD"
	memorySKUs     = 100
	memoryLocation = "loc-memory"
)

// BenchmarkRelayMemory sends several hundred thousand unique events (ids of 36 and of 200
// bytes) through a relay with the default configuration, in a process of its own so its
// peak resident memory (VmHWM) is the relay's alone, and reports it against the relay
// Deployment's limit. The channel is a webhook receiver in this process.
func BenchmarkRelayMemory(b *testing.B) {
	events, _ := strconv.Atoi(os.Getenv("BENCH_RELAY_EVENTS"))
	if events <= 0 {
		events = 600_000
	}
	for _, idLen := range []int{36, 200} {
		b.Run(fmt.Sprintf("id=%dB", idLen), func(b *testing.B) {
			receiver := webhooktest.NewReceiver([]byte(webhookSecret))
			for i := range memorySKUs {
				receiver.Put(memoryLocation, channel.Item{ID: fmt.Sprintf("item-%d", i), SKU: fmt.Sprintf("SKU-%03d", i)})
			}
			srv := httptest.NewServer(receiver)
			defer srv.Close()
			led := ledgertest.Start(b)
			spec, _ := json.Marshal(memoryRun{URL: srv.URL, IDLen: idLen, Events: events, NATS: led.URL})
			cmd := exec.Command(os.Args[0], "-test.run=^TestRelayMemoryChild$", "-test.v")
			cmd.Env = append(os.Environ(), memoryChildEnv+"="+string(spec))
			out, err := cmd.CombinedOutput()
			if err != nil {
				b.Fatalf("child: %v\n%s", err, out)
			}
			var fig memoryFigures
			found := false
			for line := range strings.Lines(string(out)) {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "relay-memory: "); ok {
					found = json.Unmarshal([]byte(rest), &fig) == nil
				}
			}
			if !found {
				b.Fatalf("the child reported no figures:\n%s", out)
			}
			mib := func(kib int64) float64 { return float64(kib) / 1024 }
			b.ReportMetric(float64(events), "events")
			b.ReportMetric(float64(fig.HeapInuse)/(1<<20), "heap-inuse-MiB")
			b.ReportMetric(float64(fig.LiveHeap)/(1<<20), "live-heap-MiB")
			b.ReportMetric(mib(fig.RSSKiB), "rss-MiB")
			b.ReportMetric(mib(fig.PeakRSSKiB), "peak-rss-MiB")
			b.ReportMetric(relayMemoryLimitMiB, "limit-MiB")
			b.ReportMetric(0, "ns/op")
			if mib(fig.PeakRSSKiB) > relayMemoryLimitMiB {
				b.Errorf("peak RSS %.0f MiB is over the %d MiB limit", mib(fig.PeakRSSKiB), relayMemoryLimitMiB)
			}
		})
	}
}

// memoryWebhookChannel is the webhook channel "hook" of a memory child, at url.
func memoryWebhookChannel(url string) v1alpha1.SalesChannel {
	return v1alpha1.SalesChannel{
		ObjectMeta: metav1.ObjectMeta{Name: "hook", Namespace: testNamespace},
		Spec: v1alpha1.SalesChannelSpec{
			Platform:   v1alpha1.PlatformWebhook,
			Connection: v1alpha1.ChannelConnection{URL: url, CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: "hook-secret", Key: "secret"}},
			Inventory:  v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeRealTimeAdjustment},
		},
	}
}

// memoryChildRelay opens the ledger at natsURL and starts a relay on dir, synced; the
// caller stops both.
func memoryChildRelay(t *testing.T, dir Directory, natsURL string) (*Service, *ledger.Store) {
	t.Helper()
	store, err := ledger.Open(context.Background(), ledger.Options{URL: natsURL})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{Directory: dir, Ledger: store})
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	if err := svc.WaitSynced(context.Background()); err != nil {
		svc.Close()
		store.Close()
		t.Fatal(err)
	}
	return svc, store
}

// TestRelayMemoryChild is the child of BenchmarkRelayMemory; it does nothing otherwise.
func TestRelayMemoryChild(t *testing.T) {
	spec := os.Getenv(memoryChildEnv)
	if spec == "" {
		t.Skip("run by BenchmarkRelayMemory")
	}
	var run memoryRun
	if err := json.Unmarshal([]byte(spec), &run); err != nil {
		t.Fatal(err)
	}
	dir := NewStaticDirectory(Scope{
		Channels: []v1alpha1.SalesChannel{memoryWebhookChannel(run.URL)},
		Syncs:    []v1alpha1.InventorySync{inventorySync("hook-sync", "hook", testWarehouse, memoryLocation)},
	})
	dir.SetCredential(testNamespace, "hook-secret", "secret", []byte(webhookSecret))
	svc, store := memoryChildRelay(t, dir, run.NATS)
	defer store.Close()
	defer svc.Close()
	const perRequest = DefaultMaxEvents
	for start := 0; start < run.Events; start += perRequest {
		events := make([]Event, min(perRequest, run.Events-start))
		for i := range events {
			n := start + i
			events[i] = Event{ID: fmt.Sprintf("%0*d", run.IDLen, n), Trigger: TriggerReceiveReceipt, SKU: fmt.Sprintf("SKU-%03d", n%memorySKUs), FulfillmentChannel: testWarehouse, Increment: ptr(1)}
		}
		resp, err := svc.Handle(context.Background(), events)
		if err != nil || len(resp.Errors) > 0 || resp.Results[0].Channels[0].Status != StatusPushed {
			t.Fatalf("events from %d: %v %+v", start, err, resp.Errors)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fig := memoryFigures{HeapInuse: int64(ms.HeapInuse)}
	fig.PeakRSSKiB, fig.RSSKiB = procStatusKiB(t, "VmHWM:"), procStatusKiB(t, "VmRSS:")
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fig.LiveHeap = int64(ms.HeapAlloc)
	out, _ := json.Marshal(fig)
	fmt.Printf("relay-memory: %s\n", out)
}

// procStatusKiB reads a figure of /proc/self/status, in KiB.
func procStatusKiB(t *testing.T, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kib
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}
