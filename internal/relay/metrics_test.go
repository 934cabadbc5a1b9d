package relay

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
	"github.com/techoms/inventory-operator/internal/metrics"
)

// relayMetrics reads the relay's metrics from a registry of the test's. The metrics are the
// process's, so tests compare them before and after what they do.
type relayMetrics struct {
	t   *testing.T
	reg *prometheus.Registry
}

func newRelayMetrics(t *testing.T) *relayMetrics {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := metrics.RegisterRelay(reg); err != nil {
		t.Fatal(err)
	}
	return &relayMetrics{t: t, reg: reg}
}

// series finds the series of family name whose labels are the name=value pairs given.
func (m *relayMetrics) series(name string, labels ...string) *dto.Metric {
	m.t.Helper()
	families, err := m.reg.Gather()
	if err != nil {
		m.t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != metrics.Prefix+"_relay_"+name {
			continue
		}
		for _, s := range f.GetMetric() {
			var got []string
			for _, l := range s.GetLabel() {
				got = append(got, l.GetName(), l.GetValue())
			}
			if slices.Equal(got, labels) {
				return s
			}
		}
	}
	return nil
}

// value is a counter's or gauge's value, a histogram's count of observations; 0 when the
// series does not exist yet.
func (m *relayMetrics) value(name string, labels ...string) float64 {
	m.t.Helper()
	s := m.series(name, labels...)
	switch {
	case s == nil:
		return 0
	case s.Counter != nil:
		return s.Counter.GetValue()
	case s.Gauge != nil:
		return s.Gauge.GetValue()
	default:
		return float64(s.Histogram.GetSampleCount())
	}
}

// sum is a histogram's sum of observations.
func (m *relayMetrics) sum(name string, labels ...string) float64 {
	m.t.Helper()
	if s := m.series(name, labels...); s != nil {
		return s.Histogram.GetSampleSum()
	}
	return 0
}

// snapshot reads series now, to compare with later; keys are name and labels.
type seriesRef struct {
	name   string
	labels []string
}

func (m *relayMetrics) deltas(refs []seriesRef, do func()) []float64 {
	m.t.Helper()
	before := make([]float64, len(refs))
	for i, r := range refs {
		before[i] = m.value(r.name, r.labels...)
	}
	do()
	out := make([]float64, len(refs))
	for i, r := range refs {
		out[i] = m.value(r.name, r.labels...) - before[i]
	}
	return out
}

// TestMetricsOfEventsAndChannelCalls sends events through the HTTP API to a Shopify store,
// a webhook channel and a channel whose mode pushes nothing, and checks what the relay's
// metrics counted: event results by trigger and status, requests, channel calls by platform,
// kind and result, batch sizes, the waits a Retry-After imposed and the ledger's size.
func TestMetricsOfEventsAndChannelCalls(t *testing.T) {
	m := newRelayMetrics(t)
	e := newTestEnv(t, envOptions{})
	e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	e.addChannel("quiet", v1alpha1.PlatformWebhook, v1alpha1.ModeDoNotSynchronize, "")

	calls := func(platform, call, result string) seriesRef {
		return seriesRef{"channel_calls_total", []string{"call", call, "platform", platform, "result", result}}
	}
	refs := []seriesRef{
		{"events_total", []string{"outcome", "Pushed", "trigger", "ReceiveReceipt"}},
		{"events_total", []string{"outcome", "NotApplicable", "trigger", "ReceiveReceipt"}},
		{"events_total", []string{"outcome", "Failed", "trigger", "ReceiveReceipt"}},
		{"request_duration_seconds", nil},
		calls("Shopify", "read", "ok"),
		calls("Shopify", "write", "ok"),
		calls("Webhook", "read", "ok"),
		calls("Webhook", "write", "ok"),
		calls("Webhook", "write", "refused"),
		{"channel_call_duration_seconds", []string{"call", "write", "platform", "Webhook"}},
		{"batch_size", nil},
	}
	post := func(id string) {
		t.Helper()
		if status, resp, _ := e.post(receipt(id, 2)); status != http.StatusOK {
			t.Fatalf("%s: status %d: %+v", id, status, resp)
		}
	}
	batchSum := m.sum("batch_size")
	got := m.deltas(refs, func() { post("first") })
	want := []float64{2, 1, 0, 1, 1, 1, 1, 1, 0, 1, 2}
	for i := range refs {
		if got[i] != want[i] {
			t.Errorf("first event: %s%v grew by %v, want %v", refs[i].name, refs[i].labels, got[i], want[i])
		}
	}
	if d := m.sum("batch_size") - batchSum; d != 2 {
		t.Errorf("batch sizes summed %v, want 2 (two writes of one change)", d)
	}

	// The items are cached: the next request to the webhook channel is the write, refused
	// whole.
	e.receiver.Inject(webhooktest.Injected{Status: http.StatusUnprocessableEntity})
	got = m.deltas(refs, func() { post("refused") })
	want = []float64{1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 2}
	for i := range refs {
		if got[i] != want[i] {
			t.Errorf("refused write: %s%v grew by %v, want %v", refs[i].name, refs[i].labels, got[i], want[i])
		}
	}

	// A 429 with Retry-After makes the webhook connector wait a second before sending the
	// write again.
	e.receiver.Inject(webhooktest.Injected{Status: http.StatusTooManyRequests, RetryAfter: "1"})
	waited := m.value("throttle_wait_seconds_total", "platform", "Webhook")
	post("after-429")
	if d := m.value("throttle_wait_seconds_total", "platform", "Webhook") - waited; d < 0.9 {
		t.Errorf("throttle waits of the webhook channel grew by %.3fs, want the 1s Retry-After", d)
	}

	if lanes := m.value("lanes"); lanes < 1 {
		t.Errorf("lanes metric says %v, want at least the channel location this relay writes", lanes)
	}
}

// TestMetricsQueueDepth holds a write to a channel and checks that the accepted events not
// yet settled, the held one and the two queued behind it, are counted, and no longer once
// written.
func TestMetricsQueueDepth(t *testing.T) {
	m := newRelayMetrics(t)
	s := &script{}
	e := newTestEnv(t, envOptions{config: Config{Connect: s.connect}})
	e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	base := m.value("queue_depth")
	release := e.holdCall(s, "held")
	waitFor(t, func() bool { return m.value("queue_depth") == base+1 })
	var wg sync.WaitGroup
	for _, id := range []string{"queued-1", "queued-2"} {
		wg.Add(1)
		go func() { defer wg.Done(); e.post(receipt(id, 1)) }()
	}
	waitFor(t, func() bool { return m.value("queue_depth") == base+3 })
	release()
	wg.Wait()
	if got := m.value("queue_depth"); got != base {
		t.Errorf("queue depth %v once written, want %v", got, base)
	}
}
