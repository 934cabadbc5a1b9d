package fulfillment

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/egress/egresstest"
)

func TestFeedReadErrorsHideURLSecrets(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"connection reset", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}},
		{"redirected in circles with a signed location", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/levels?X-Goog-Signature=sig0123", http.StatusFound)
		}},
		{"cut off mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("sku,quantity\nA-1,"))
		}},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(tt.handler)
		url := strings.Replace(srv.URL, "http://", "http://feeduser:hunter2@", 1) + "/levels?token=abcdef"
		_, err := Feed{URL: url, Format: v1alpha1.FeedFormatCSV, BearerToken: "bearer-s3cret"}.Read(context.Background())
		srv.Close()
		if err == nil {
			t.Fatalf("%s: Read succeeded", tt.name)
		}
		for _, secret := range []string{"hunter2", "feeduser", "abcdef", "sig0123", "bearer-s3cret"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: message %q reveals %q", tt.name, err, secret)
			}
		}
	}
}

func TestFeedBearerTokenStaysOnItsOrigin(t *testing.T) {
	elsewhere := egresstest.NewElsewhere(t)
	for _, target := range elsewhere.Origins() {
		origin := egresstest.Redirector(t, target, http.StatusFound)
		// The other origin answers 404; what matters is what it was sent.
		_, _ = Feed{URL: origin.URL + "/levels?token=q-s3cret", Format: v1alpha1.FeedFormatCSV, BearerToken: "bearer-s3cret"}.Read(context.Background())
	}
	elsewhere.AssertNotSent(t, 2, "Authorization", "Referer")
}

func TestFeedBearerTokenFollowsARedirectOnItsOrigin(t *testing.T) {
	var got string
	mux := http.NewServeMux()
	mux.HandleFunc("/levels", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v2/levels", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/v2/levels", func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		w.Write([]byte(csvFeed))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	if _, err := (Feed{URL: srv.URL + "/levels", Format: v1alpha1.FeedFormatCSV, BearerToken: "s3cret"}).Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got != "Bearer s3cret" {
		t.Errorf("Authorization after a same-origin redirect = %q, want the bearer token", got)
	}
}
