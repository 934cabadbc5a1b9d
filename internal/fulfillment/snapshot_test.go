package fulfillment

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func TestFeedSnapshotIsLastModifiedElseTheReadTime(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name         string
		lastModified string
	}{
		{"Last-Modified", t0.Format(http.TimeFormat)},
		{"no header", ""},
		{"an unreadable header", "yesterday"},
		{"a time in the future", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if c.lastModified != "" {
				w.Header().Set("Last-Modified", c.lastModified)
			}
			w.Write([]byte(csvFeed))
		}))
		before := time.Now()
		levels, err := Feed{URL: srv.URL, Format: v1alpha1.FeedFormatCSV}.Read(context.Background())
		after := time.Now()
		srv.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := levels.Snapshot()
		if c.name == "Last-Modified" {
			if !got.Equal(t0) {
				t.Errorf("%s: snapshot %v, want %v", c.name, got, t0)
			}
			continue
		}
		if got.Before(before) || got.After(after) {
			t.Errorf("%s: snapshot %v, want the read time between %v and %v", c.name, got, before, after)
		}
	}
}

func TestSumSnapshotIsTheOldestFeeds(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	east, west := mustParse(t, "sku,quantity\nA,1\n"), mustParse(t, "sku,quantity\nA,2\n")
	sum := Sum{
		{Name: "east", Source: staticSource{levels: east.WithSnapshot(t0.Add(time.Hour))}},
		{Name: "west", Source: staticSource{levels: west.WithSnapshot(t0)}},
	}
	levels, err := sum.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !levels.Snapshot().Equal(t0) {
		t.Fatalf("summed snapshot %v, want the oldest feed's %v", levels.Snapshot(), t0)
	}
	if q, _ := levels.Lookup("A"); q != 3 {
		t.Fatalf("sum of A = %d, want 3", q)
	}
}

func TestNDJSONSnapshotTimeLine(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	levels, err := Parse(strings.NewReader("\n{\"snapshotTime\": \"2026-03-01T08:00:00Z\"}\n{\"sku\":\"A\",\"quantity\":3}\n"), v1alpha1.FeedFormatNDJSON)
	if err != nil {
		t.Fatal(err)
	}
	if !levels.Snapshot().Equal(t0) || levels.Len() != 1 {
		t.Fatalf("snapshot %v, %d SKUs; want %v and 1", levels.Snapshot(), levels.Len(), t0)
	}
	// Only the first line states it; an SKU line is never one, and a bad time is a problem.
	for _, feed := range []string{
		"{\"sku\":\"A\",\"quantity\":3}\n{\"snapshotTime\": \"2026-03-01T08:00:00Z\"}\n",
		"{\"snapshotTime\": \"yesterday\"}\n{\"sku\":\"A\",\"quantity\":3}\n",
	} {
		if _, err := Parse(strings.NewReader(feed), v1alpha1.FeedFormatNDJSON); err == nil {
			t.Errorf("%q parsed", feed)
		}
	}
	// The document's time wins over the server's Last-Modified.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Last-Modified", t0.Add(time.Hour).Format(http.TimeFormat))
		w.Write([]byte("{\"snapshotTime\": \"2026-03-01T08:00:00Z\"}\n{\"sku\":\"A\",\"quantity\":3}\n"))
	}))
	defer srv.Close()
	levels, err = Feed{URL: srv.URL, Format: v1alpha1.FeedFormatNDJSON}.Read(context.Background())
	if err != nil || !levels.Snapshot().Equal(t0) {
		t.Fatalf("snapshot %v (%v), want the document's %v", levels.Snapshot(), err, t0)
	}
}
