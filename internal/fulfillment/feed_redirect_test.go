package fulfillment

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
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

// recordingFeed serves the feed and keeps the Authorization and Referer headers it got.
type recordingFeed struct {
	*httptest.Server
	mu            sync.Mutex
	auth, referer []string
}

func newRecordingFeed(t *testing.T) *recordingFeed {
	f := &recordingFeed{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.referer = append(f.referer, r.Header.Get("Referer"))
		f.mu.Unlock()
		w.Write([]byte(csvFeed))
	}))
	t.Cleanup(f.Close)
	return f
}

func TestFeedBearerTokenStaysOnItsOrigin(t *testing.T) {
	elsewhere := newRecordingFeed(t)
	port := elsewhere.URL[strings.LastIndex(elsewhere.URL, ":"):]
	for _, target := range []string{elsewhere.URL, "http://localhost" + port} {
		origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target+"/moved.csv", http.StatusFound)
		}))
		_, err := Feed{URL: origin.URL + "/levels?token=q-s3cret", Format: v1alpha1.FeedFormatCSV, BearerToken: "bearer-s3cret"}.Read(context.Background())
		origin.Close()
		if err != nil {
			t.Fatalf("redirect to %s: %v", target, err)
		}
		elsewhere.mu.Lock()
		auth, referer := elsewhere.auth[len(elsewhere.auth)-1], elsewhere.referer[len(elsewhere.referer)-1]
		elsewhere.mu.Unlock()
		if auth != "" {
			t.Errorf("redirect to %s: the other host got Authorization %q", target, auth)
		}
		if strings.Contains(referer, "q-s3cret") {
			t.Errorf("redirect to %s: the other host got the feed's query in Referer %q", target, referer)
		}
	}
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
