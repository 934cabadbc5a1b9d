package relay

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// TestInFlightBytesAreBounded: while a request is held, one whose body would take the bytes
// in flight past MaxInFlightBytes is answered 503 with Retry-After and not taken; sent again
// once the first is answered, it is applied.
func TestInFlightBytesAreBounded(t *testing.T) {
	s := &script{}
	e := newTestEnv(t, envOptions{config: Config{Connect: s.connect}, handler: HandlerOptions{MaxInFlightBytes: 900}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	release := e.holdCall(s, "held")

	large := []Event{receipt("l1", 1), receipt("l2", 1), receipt("l3", 1), receipt("l4", 1), receipt("l5", 1), receipt("l6", 1), receipt("l7", 1), receipt("l8", 1)}
	if body, _ := json.Marshal(Request{Events: large}); len(body) < 800 {
		t.Fatalf("the large request has only %d bytes", len(body))
	}
	status, _, header := e.post(large...)
	if status != http.StatusServiceUnavailable || header.Get("Retry-After") == "" {
		t.Fatalf("over the in-flight bytes: status %d, Retry-After %q; want 503 with Retry-After", status, header.Get("Retry-After"))
	}
	release()
	if status, _, _ := e.post(large...); status != http.StatusOK {
		t.Fatalf("sent again: status %d", status)
	}
	if got := e.level(hook); got != initialQuantity+9 {
		t.Errorf("hook shows %d, want %d", got, initialQuantity+9)
	}
}
