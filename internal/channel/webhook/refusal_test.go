package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
)

// A status the protocol does not retry means the receiver applied nothing: a refusal. What
// is retried until the attempts run out, and failures without an answer, leave the outcome
// unknown.
func TestWriteTellsARefusalFromAnUnknownOutcome(t *testing.T) {
	tests := []struct {
		name    string
		inject  []webhooktest.Injected
		secret  []byte
		refused bool
	}{
		{"400 malformed", []webhooktest.Injected{{Status: http.StatusBadRequest}}, nil, true},
		{"401 wrong signature", nil, []byte("not-the-secret"), true},
		{"404 unknown operation", []webhooktest.Injected{{Status: http.StatusNotFound}}, nil, true},
		{"409 still processing, every attempt", repeat(http.StatusConflict, webhook.DefaultMaxAttempts), nil, false},
		{"429 throttled, every attempt", repeat(http.StatusTooManyRequests, webhook.DefaultMaxAttempts), nil, false},
		{"503, every attempt", repeat(http.StatusServiceUnavailable, webhook.DefaultMaxAttempts), nil, false},
	}
	for _, tt := range tests {
		f := newFixture(t, webhook.Config{Secret: tt.secret})
		f.receiver.Put(location, channel.Item{ID: "item-1", SKU: "A-1", Quantity: 10})
		f.receiver.Inject(tt.inject...)
		_, err := f.connector.Write(context.Background(), v1alpha1.StrategyIncremental, "k", []channel.Change{{ItemID: "item-1", SKU: "A-1", Quantity: 1}})
		if err == nil {
			t.Fatalf("%s: Write succeeded", tt.name)
		}
		if channel.IsRefused(err) != tt.refused {
			t.Errorf("%s: Write = %v; refusal %v, want %v", tt.name, err, !tt.refused, tt.refused)
		}
		if f.quantity(t, "item-1") != 10 {
			t.Errorf("%s: the item changed", tt.name)
		}
	}
}

func TestWriteOutcomeIsUnknownWhenTheConnectionBreaks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Write(context.Background(), v1alpha1.StrategyIncremental, "k", []channel.Change{{ItemID: "item-1", Quantity: 1}})
	if err == nil || channel.IsRefused(err) {
		t.Fatalf("Write = %v, want an unknown outcome", err)
	}
}

func repeat(status, n int) []webhooktest.Injected {
	out := make([]webhooktest.Injected, n)
	for i := range out {
		out[i] = webhooktest.Injected{Status: status}
	}
	return out
}
