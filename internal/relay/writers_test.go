package relay

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// TestWritersBeyondTheCapAreThrottled: with as many writers holding waiting events as
// MaxWriters allows, an event that needs another writer is not taken (429, TooManyWriters);
// once the writers' events are written it is.
func TestWritersBeyondTheCapAreThrottled(t *testing.T) {
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	hold := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "levels/adjust") {
				select {
				case entered <- struct{}{}:
					<-release
				default:
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	e := newTestEnv(t, envOptions{config: Config{MaxWriters: 1}, receiverHandler: hold})
	e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	var wg sync.WaitGroup
	var first int
	wg.Add(1)
	go func() { defer wg.Done(); first, _, _ = e.post(receipt("first", 1)) }()
	<-entered // the hook's writer is inside its write: one writer has an event waiting

	shop := e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	status, resp, header := e.post(receipt("second", 1))
	if status != http.StatusTooManyRequests || header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q; want 429 with Retry-After", status, header.Get("Retry-After"))
	}
	if got := channelResult(t, resp.Results[0], "shop"); got.Status != StatusThrottled || got.Reason != ReasonTooManyWriters {
		t.Errorf("shop: %+v, want Throttled/TooManyWriters", got)
	}
	close(release)
	wg.Wait()
	if first != http.StatusOK {
		t.Fatalf("first event: status %d", first)
	}
	waitFor(t, func() bool { return e.svc.pendingCount(e.laneOf(t, "hook").key) == 0 })
	// Sent again once the writer's events are written, it is taken and applied.
	resp = e.postOne(receipt("second", 1))
	for _, name := range []string{"hook", "shop"} {
		if got := channelResult(t, resp.Results[0], name); got.Status != StatusPushed {
			t.Errorf("%s after the retry: %+v, want Pushed", name, got)
		}
	}
	if got := e.level(shop); got != initialQuantity+1 {
		t.Errorf("shop shows %d, want %d", got, initialQuantity+1)
	}
}
