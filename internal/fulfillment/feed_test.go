package fulfillment

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

const csvFeed = "sku,quantity\nA-1,98\nB-2,27\n"

func TestFeedReadSendsBearerTokenAndParses(t *testing.T) {
	var gotAuth, gotAccept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotAccept = r.Header.Get("Authorization"), r.Header.Get("Accept")
		w.Write([]byte(csvFeed))
	}))
	defer srv.Close()

	levels, err := Feed{URL: srv.URL + "/levels", Format: v1alpha1.FeedFormatCSV, BearerToken: "s3cret"}.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	assertLevels(t, levels, []Level{{"A-1", 98}, {"B-2", 27}})
	if gotAuth != "Bearer s3cret" {
		t.Errorf("Authorization = %q, want the bearer token", gotAuth)
	}
	if !strings.HasPrefix(gotAccept, "text/csv") {
		t.Errorf("Accept = %q, want text/csv first", gotAccept)
	}
}

func TestFeedReadWithoutTokenSendsNoAuthorization(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Header["Authorization"]; ok {
			http.Error(w, "unexpected credentials", http.StatusBadRequest)
			return
		}
		w.Write([]byte(csvFeed))
	}))
	defer srv.Close()
	if _, err := (Feed{URL: srv.URL, Format: v1alpha1.FeedFormatCSV}).Read(context.Background()); err != nil {
		t.Fatalf("Read: %v", err)
	}
}

func TestFeedReadGzip(t *testing.T) {
	compressed := gzipBytes(t, csvFeed)
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"content-encoding", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(compressed)
		}},
		{"gzip file served as is", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/gzip")
			w.Write(compressed)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			levels, err := Feed{URL: srv.URL, Format: v1alpha1.FeedFormatCSV}.Read(context.Background())
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			assertLevels(t, levels, []Level{{"A-1", 98}, {"B-2", 27}})
		})
	}
}

func TestFeedReadGzipWithoutTransportDecompression(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipBytes(t, csvFeed))
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	levels, err := Feed{URL: srv.URL, Format: v1alpha1.FeedFormatCSV, Client: client}.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	assertLevels(t, levels, []Level{{"A-1", 98}, {"B-2", 27}})
}

func TestFeedReadStatusErrorHidesSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "token s3cret is not valid", http.StatusForbidden)
	}))
	defer srv.Close()

	url := strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1) + "/levels?sig=abcdef"
	_, err := Feed{URL: url, Format: v1alpha1.FeedFormatCSV, BearerToken: "s3cret"}.Read(context.Background())
	var statusErr *StatusError
	if !errors.As(err, &statusErr) || statusErr.StatusCode != http.StatusForbidden {
		t.Fatalf("error = %v, want a 403 StatusError", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "403") || !strings.Contains(msg, srv.Listener.Addr().String()+"/levels") {
		t.Errorf("message %q lacks the status or the URL", msg)
	}
	for _, secret := range []string{"s3cret", "hunter2", "abcdef", "user"} {
		if strings.Contains(msg, secret) {
			t.Errorf("message %q reveals %q", msg, secret)
		}
	}
}

func TestFeedReadConnectionErrorHidesSecrets(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/levels?token=abcdef"
	srv.Close() // nothing listens there any more

	_, err := Feed{URL: url, Format: v1alpha1.FeedFormatCSV}.Read(context.Background())
	if err == nil {
		t.Fatal("Read succeeded against a closed server")
	}
	if strings.Contains(err.Error(), "abcdef") {
		t.Errorf("message %q reveals the query secret", err)
	}
}

func TestFeedReadMalformedFeed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("sku,quantity\nA,1\nA,x\n"))
	}))
	defer srv.Close()
	_, err := Feed{URL: srv.URL, Format: v1alpha1.FeedFormatCSV}.Read(context.Background())
	var feedErr *FeedError
	if !errors.As(err, &feedErr) || len(feedErr.Problems) != 1 || feedErr.Problems[0].Position != 3 {
		t.Fatalf("error = %v, want a FeedError about line 3", err)
	}
}

func TestFeedReadSizeCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(csvFeed + strings.Repeat("\n", 4096)))
	}))
	defer srv.Close()
	_, err := Feed{URL: srv.URL, Format: v1alpha1.FeedFormatCSV, MaxBytes: 1024}.Read(context.Background())
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1 KiB") {
		t.Fatalf("error = %v, want ErrTooLarge naming the 1 KiB cap", err)
	}
}

func TestFeedReadTimeout(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"no response headers", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}},
		{"body stalls", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("sku,quantity\nA,1\n"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			_, err := Feed{URL: srv.URL, Format: v1alpha1.FeedFormatCSV, Timeout: 50 * time.Millisecond}.Read(context.Background())
			if err == nil || !strings.Contains(err.Error(), "no complete response within 50ms") {
				t.Fatalf("error = %v, want a timeout", err)
			}
		})
	}
}

func TestFeedReadCallerCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	}))
	defer srv.Close()
	_, err := Feed{URL: srv.URL, Format: v1alpha1.FeedFormatCSV}.Read(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}
