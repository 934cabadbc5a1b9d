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

func TestCSVAndJSONStateTheirSnapshotTime(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		format v1alpha1.FeedFormat
		feed   string
	}{
		{"CSV comment line", v1alpha1.FeedFormatCSV, "# snapshotTime: 2026-03-01T08:00:00Z\nsku,quantity\nA,3\n"},
		{"CSV comment line after a byte order mark", v1alpha1.FeedFormatCSV, "\ufeff#snapshotTime:2026-03-01T09:00:00+01:00\r\nsku,quantity\r\nA,3\r\n"},
		{"JSON object, time first", v1alpha1.FeedFormatJSON, `{"snapshotTime": "2026-03-01T08:00:00Z", "levels": [{"sku": "A", "quantity": 3}]}`},
		{"JSON object, levels first", v1alpha1.FeedFormatJSON, `{"levels": [{"sku": "A", "quantity": 3}], "snapshotTime": "2026-03-01T08:00:00Z"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			levels, err := Parse(strings.NewReader(c.feed), c.format)
			if err != nil {
				t.Fatal(err)
			}
			if q, ok := levels.Lookup("A"); !levels.Snapshot().Equal(t0) || levels.Len() != 1 || !ok || q != 3 {
				t.Fatalf("snapshot %v, %d SKUs, A %d; want %v, 1 and 3", levels.Snapshot(), levels.Len(), q, t0)
			}
		})
	}
	// Without one, no snapshot: the feed's reader decides (Last-Modified, else the read time).
	for _, f := range []struct {
		format v1alpha1.FeedFormat
		feed   string
	}{{v1alpha1.FeedFormatCSV, "sku,quantity\nA,3\n"}, {v1alpha1.FeedFormatJSON, `{"levels": [{"sku": "A", "quantity": 3}]}`}} {
		if levels, err := Parse(strings.NewReader(f.feed), f.format); err != nil || !levels.Snapshot().IsZero() {
			t.Errorf("%q: snapshot %v (%v), want none", f.feed, levels.Snapshot(), err)
		}
	}
}

func TestCSVAndJSONSnapshotProblems(t *testing.T) {
	cases := []struct {
		name   string
		format v1alpha1.FeedFormat
		feed   string
		want   string
	}{
		{"CSV bad time", v1alpha1.FeedFormatCSV, "# snapshotTime: yesterday\nsku,quantity\nA,3\n", `line 1: snapshotTime "yesterday" is not an RFC 3339 time`},
		{"CSV other comment", v1alpha1.FeedFormatCSV, "# exported by the WMS\nsku,quantity\nA,3\n", "line 1: a comment line may only open the feed"},
		{"CSV rows keep the file's line numbers", v1alpha1.FeedFormatCSV, "# snapshotTime: 2026-03-01T08:00:00Z\nsku,quantity\nA,3\nB,-1\n", "line 4: quantity -1 is negative"},
		{"CSV header after the comment", v1alpha1.FeedFormatCSV, "# snapshotTime: 2026-03-01T08:00:00Z\nitem,quantity\n", "line 2: header has no sku column"},
		{"JSON bad time", v1alpha1.FeedFormatJSON, `{"snapshotTime": "yesterday", "levels": []}`, `index 0: snapshotTime "yesterday" is not an RFC 3339 time`},
		{"JSON no levels", v1alpha1.FeedFormatJSON, `{"snapshotTime": "2026-03-01T08:00:00Z"}`, "index 0: the feed's object has no levels array"},
		{"JSON levels not an array", v1alpha1.FeedFormatJSON, `{"levels": {"sku": "A"}}`, "index 0: levels is not a JSON array"},
		{"JSON data after the object", v1alpha1.FeedFormatJSON, `{"levels": [{"sku": "A", "quantity": 3}]} []`, "index 1: unexpected data after the object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.feed), c.format)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one with %q", err, c.want)
			}
		})
	}
}
