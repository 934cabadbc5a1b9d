package fulfillment

import (
	"context"
	"net/http"
	"net/http/httptest"
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
