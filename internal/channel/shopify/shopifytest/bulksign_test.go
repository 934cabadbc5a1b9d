package shopifytest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestBulkResultURLIsSigned(t *testing.T) {
	s := newShop(t, 1, Options{})
	op := runBulkQuery(t, s, `{ inventoryItems { edges { node { id sku } } } }`)
	if op.URL == nil {
		t.Fatalf("operation %+v has no URL", op)
	}
	signed, err := url.Parse(*op.URL)
	if err != nil || signed.Query().Get("X-Goog-Signature") == "" {
		t.Fatalf("result URL %q carries no signature", *op.URL)
	}
	if lines := download(t, *op.URL); len(lines) != 1 {
		t.Fatalf("signed download: %v", lines)
	}

	tampered := *signed
	q := tampered.Query()
	q.Set("X-Goog-Signature", strings.Repeat("0", len(q.Get("X-Goog-Signature"))))
	tampered.RawQuery = q.Encode()
	unsigned := *signed
	unsigned.RawQuery = ""
	for _, u := range []*url.URL{&tampered, &unsigned} {
		res, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("download of %s: %s, want 403", u.Redacted(), res.Status)
		}
	}

	s.srv.CutBulkDownloads(1)
	if res, err := http.Get(*op.URL); err == nil {
		res.Body.Close()
		t.Fatalf("a cut download answered %s", res.Status)
	}
	if lines := download(t, *op.URL); len(lines) != 1 {
		t.Fatalf("download after the cut one: %v", lines)
	}
}
