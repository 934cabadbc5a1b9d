package webhooktest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/channel/webhook"
)

func TestReceiverRejectsBadRequests(t *testing.T) {
	secret := []byte("s")
	now := time.Now().Unix()
	body := `{"locationId":"l","items":[{"id":"i","sku":"A","quantity":1}]}`
	signed := func(key string) http.Header {
		h := http.Header{}
		h.Set(webhook.HeaderTimestamp, strconv.FormatInt(now, 10))
		h.Set(webhook.HeaderSignature, webhook.Sign(secret, now, webhook.OperationSet, key, []byte(body)))
		if key != "" {
			h.Set(webhook.HeaderIdempotencyKey, key)
		}
		return h
	}
	tests := []struct {
		name   string
		header http.Header
		path   string
		want   int
	}{
		{"unsigned", http.Header{}, "/levels/set", http.StatusUnauthorized},
		{"signed for another key", func() http.Header { h := signed("k1"); h.Set(webhook.HeaderIdempotencyKey, "k2"); return h }(), "/levels/set", http.StatusUnauthorized},
		{"signed for another operation", signed("k"), "/levels/adjust", http.StatusUnauthorized},
		{"no idempotency key", signed(""), "/levels/set", http.StatusBadRequest},
		{"valid", signed("k"), "/levels/set", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := NewReceiver(secret)
			req := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(body))
			req.Header = tt.header
			rec := httptest.NewRecorder()
			rc.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status = %d (%s), want %d", rec.Code, strings.TrimSpace(rec.Body.String()), tt.want)
			}
		})
	}
}
