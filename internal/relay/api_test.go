package relay

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func receipt(id string, inc int64) Event {
	return Event{ID: id, Trigger: TriggerReceiveReceipt, SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(inc)}
}

func TestRetriedEventsAreAppliedOnce(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	shop := e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")

	if status, _, _ := e.post(receipt("e1", 1), receipt("e2", 2)); status != http.StatusOK {
		t.Fatalf("first request: status %d", status)
	}
	// The retry coalesces e2 with a new event: e2 is answered from the record, e3 applied.
	status, resp, _ := e.post(receipt("e2", 2), receipt("e3", 4))
	if status != http.StatusOK {
		t.Fatalf("retry: status %d", status)
	}
	for _, name := range []string{"shop", "hook"} {
		if got := channelResult(t, resp.Results[0], name); got.Status != StatusPushed || !got.Replayed {
			t.Errorf("retried e2 on %s: %+v, want Pushed and Replayed", name, got)
		}
		if got := channelResult(t, resp.Results[1], name); got.Status != StatusPushed || got.Replayed {
			t.Errorf("new e3 on %s: %+v, want Pushed, not Replayed", name, got)
		}
	}
	for _, c := range []*testChannel{shop, hook} {
		if got := e.level(c); got != initialQuantity+7 {
			t.Errorf("%s shows %d, want %d", c.name, got, initialQuantity+7)
		}
	}

	// The same id with other content is refused, not applied.
	status, resp, _ = e.post(receipt("e3", 50))
	if status != http.StatusBadRequest || len(resp.Errors) != 1 || resp.Errors[0].Index != 0 {
		t.Fatalf("reused id: status %d, answer %+v", status, resp)
	}
	if got := e.level(shop); got != initialQuantity+7 {
		t.Errorf("after a reused id the shop shows %d", got)
	}
}

// TestLostAnswerIsResentUnderTheSameKey: the channel applies a write but its answer is lost;
// the relay sends the very same write again, which the channel recognises by its
// idempotency key and does not apply again, and the event is Pushed; a retry by the sender
// is answered from the ledger.
func TestLostAnswerIsResentUnderTheSameKey(t *testing.T) {
	e := newTestEnv(t, envOptions{config: Config{Connect: webhookConnectorOnce}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	e.receiver.LoseAnswers(1)
	_, resp, _ := e.post(receipt("lost", 5))
	if got := channelResult(t, resp.Results[0], "hook"); got.Status != StatusPushed {
		t.Fatalf("first answer: %+v, want Pushed after the relay's own re-send", got)
	}
	status, resp, _ := e.post(receipt("other", 1), receipt("lost", 5))
	if status != http.StatusOK {
		t.Fatalf("retry: status %d", status)
	}
	if got := channelResult(t, resp.Results[1], "hook"); got.Status != StatusPushed || !got.Replayed {
		t.Fatalf("retried event: %+v, want Pushed replayed", got)
	}
	if got := e.level(hook); got != initialQuantity+6 {
		t.Errorf("hook shows %d, want %d", got, initialQuantity+6)
	}
	if st := e.receiver.Stats(); st.Replays != 1 {
		t.Errorf("receiver replays = %d, want 1 (the re-sent write)", st.Replays)
	}
}

func TestModeChangeAppliesToTheNextEvent(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	shop := e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	e.post(receipt("before-change", 3))
	e.scope.Channels[0].Spec.Inventory.Mode = v1alpha1.ModeDoNotSynchronize
	e.dir.Set(e.scope)
	_, resp, _ := e.post(receipt("after-change", 3))
	if got := channelResult(t, resp.Results[0], "shop"); got.Status != StatusNotApplicable || got.Reason != ReasonModeDoesNotPush {
		t.Errorf("after the change: %+v", got)
	}
	e.scope.Channels[0].Spec.Inventory.Mode = v1alpha1.ModeRealTimeAdjustment
	e.scope.Channels[0].Spec.Inventory.DuplicateSKUs = v1alpha1.DuplicateSKUsUpdateAll
	e.dir.Set(e.scope)
	_, resp, _ = e.post(receipt("overridden", 3))
	if got := channelResult(t, resp.Results[0], "shop"); got.Status != StatusNotApplicable || !strings.Contains(got.Message, "UpdateAll") {
		t.Errorf("under UpdateAll: %+v", got)
	}
	if got := e.level(shop); got != initialQuantity+3 {
		t.Errorf("shop shows %d, want %d", got, initialQuantity+3)
	}
}

func TestScopeOutcomes(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	tests := []struct {
		name   string
		event  Event
		status Status
		reason string
	}{
		{"other warehouse", Event{ID: "w", Trigger: TriggerReceiveReceipt, SKU: testSKU, FulfillmentChannel: "warehouse-paris", Increment: ptr(1)}, StatusNotApplicable, ReasonNoInventorySync},
		{"unknown SKU", Event{ID: "s", Trigger: TriggerReceiveReceipt, SKU: "NOPE", FulfillmentChannel: testWarehouse, Increment: ptr(1)}, StatusNotApplicable, ReasonSKUNotOnChannel},
		{"zero increment", receipt("z", 0), StatusNotApplicable, ReasonNoChange},
	}
	for _, tt := range tests {
		_, resp, _ := e.post(tt.event)
		if got := channelResult(t, resp.Results[0], "hook"); got.Status != tt.status || got.Reason != tt.reason {
			t.Errorf("%s: %+v, want %s %s", tt.name, got, tt.status, tt.reason)
		}
	}
}

func TestInvalidEventsGet400WithTheirIndexes(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	noSKU := receipt("no-sku", 1)
	noSKU.SKU = ""
	status, resp, _ := e.post(receipt("ok-1", 1), noSKU, receipt("ok-2", 2), receipt("ok-1", 1),
		Event{ID: "bad-trigger", Trigger: "Teleport", SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(1)},
		Event{ID: "no-origin", Trigger: TriggerAllocateOrder, SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(-1)},
		Event{ID: "levels", Trigger: TriggerReceiveReceipt, SKU: testSKU, FulfillmentChannel: testWarehouse, QuantityAfter: ptr(2)})
	if status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", status)
	}
	var bad []int
	for _, er := range resp.Errors {
		bad = append(bad, er.Index)
	}
	if want := []int{1, 3, 4, 5, 6}; !equalInts(bad, want) {
		t.Errorf("error indexes %v, want %v (%+v)", bad, want, resp.Errors)
	}
	if len(resp.Results) != 2 || resp.Results[0].Index != 0 || resp.Results[1].Index != 2 {
		t.Fatalf("results %+v, want indexes 0 and 2", resp.Results)
	}
	if got := e.level(hook); got != initialQuantity+3 {
		t.Errorf("hook shows %d, want the valid events applied (%d)", got, initialQuantity+3)
	}

	// A malformed event is reported at its index too; a malformed body refuses the request.
	status, resp, _ = e.postRaw([]byte(`{"events":[{"id":"x","increment":"three"}]}`), "Bearer "+testToken)
	if status != http.StatusBadRequest || len(resp.Errors) != 1 || resp.Errors[0].Index != 0 {
		t.Errorf("malformed event: status %d, answer %+v", status, resp)
	}
	if status, _, _ = e.postRaw([]byte(`[1,2`), "Bearer "+testToken); status != http.StatusBadRequest {
		t.Errorf("malformed body: status %d", status)
	}
	big := `{"events":[{"id":"` + strings.Repeat("x", DefaultMaxRequestBytes) + `"}]}`
	if status, _, _ = e.postRaw([]byte(big), "Bearer "+testToken); status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d, want 413", status)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAuthentication(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	body, _ := json.Marshal(Request{Events: []Event{receipt("a", 1)}})
	for _, auth := range []string{"", "Bearer wrong", "Basic " + testToken, "Bearer " + testToken + "x"} {
		status, _, header := e.postRaw(body, auth)
		if status != http.StatusUnauthorized || header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: status %d, want 401 with WWW-Authenticate", auth, status)
		}
	}
	if got := e.receiver.Stats().Writes; got != 0 {
		t.Errorf("unauthenticated requests wrote %d times", got)
	}
}

// TestFullQueueThrottles holds the channel's first write open, fills the queue behind it and
// checks that one more event is answered 429 with Retry-After, not dropped.
func TestFullQueueThrottles(t *testing.T) {
	entered := make(chan struct{}, 10)
	release := make(chan struct{})
	hold := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "levels/adjust") {
				entered <- struct{}{}
				<-release
			}
			next.ServeHTTP(w, r)
		})
	}
	e := newTestEnv(t, envOptions{config: Config{QueueSize: 1}, receiverHandler: hold})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")

	var wg sync.WaitGroup
	statuses := make([]int, 2)
	wg.Add(1)
	go func() { defer wg.Done(); statuses[0], _, _ = e.post(receipt("first", 1)) }()
	<-entered // the worker is inside the first write
	wg.Add(1)
	go func() { defer wg.Done(); statuses[1], _, _ = e.post(receipt("second", 1)) }()
	l := e.laneOf(t, "hook")
	waitFor(t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return len(l.queue) == 1 })

	// An invalid event beside the throttled one leaves the answer a 429, which senders
	// retry; errors still lists it.
	status, resp, header := e.post(receipt("third", 1), Event{ID: "invalid"})
	if status != http.StatusTooManyRequests || header.Get("Retry-After") == "" {
		t.Fatalf("full queue: status %d, Retry-After %q; want 429 with Retry-After", status, header.Get("Retry-After"))
	}
	if len(resp.Errors) != 1 || resp.Errors[0].Index != 1 {
		t.Errorf("errors %+v, want the invalid event at index 1", resp.Errors)
	}
	if got := channelResult(t, resp.Results[0], "hook"); got.Status != StatusThrottled || got.Reason != ReasonQueueFull {
		t.Errorf("throttled result %+v", got)
	}
	close(release)
	wg.Wait()
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusOK {
		t.Errorf("queued requests answered %v, want 200s", statuses)
	}
	// The throttled event was not taken: sent again, it is applied.
	if status, _, _ := e.post(receipt("third", 1)); status != http.StatusOK {
		t.Errorf("retried throttled event: status %d", status)
	}
	if got := e.level(hook); got != initialQuantity+3 {
		t.Errorf("hook shows %d, want %d", got, initialQuantity+3)
	}
}

func (e *testEnv) laneOf(t *testing.T, name string) *lane {
	t.Helper()
	var l *lane
	waitFor(t, func() bool {
		e.svc.mu.Lock()
		defer e.svc.mu.Unlock()
		for k, v := range e.svc.lanes {
			if k.Channel == name {
				l = v
			}
		}
		return l != nil
	})
	return l
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met before the deadline")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestShutdownAnswers503(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	e.svc.Close()
	status, _, header := e.post(receipt("late", 1))
	if status != http.StatusServiceUnavailable || header.Get("Retry-After") == "" {
		t.Errorf("after Close: status %d, Retry-After %q", status, header.Get("Retry-After"))
	}
}
