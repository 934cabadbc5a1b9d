package shopify

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/egress/egresstest"
)

var signatureValue = regexp.MustCompile(`X-Goog-Signature=[0-9a-f]`)

// A transient failure downloading a bulk operation's result must not put the signed storage
// URL, a credential until it expires, into the error.
func TestBulkDownloadErrorHidesTheSignedURL(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	shop.variant("A", 1)
	conn := shop.connector(t, func(cfg *Config) { cfg.MaxAttempts = 2 })
	// More cuts than attempts: Go's transport itself resends a GET whose reused connection
	// closed before any answer.
	shop.CutBulkDownloads(10)
	err := conn.Items(context.Background(), nil, func(channel.Item) error { return nil })
	if err == nil {
		t.Fatal("Items succeeded with every download cut")
	}
	if !strings.Contains(err.Error(), "bulk result") {
		t.Fatalf("error %q is not the download's", err)
	}
	if signatureValue.MatchString(err.Error()) {
		t.Errorf("error %q shows the storage signature", err)
	}
	// Once the network heals the download goes through.
	shop.CutBulkDownloads(0)
	if got := collect(t, conn, nil); len(got) != 1 {
		t.Fatalf("items after the cut downloads: %v", got)
	}
}

// A store (or anything in between) that echoes the token in an error answer must not get it
// into the connector's errors.
func TestErrorAnswersDoNotShowTheToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "token "+r.Header.Get("X-Shopify-Access-Token")+" is not valid here", http.StatusForbidden)
	}))
	defer srv.Close()
	conn, err := New(Config{BaseURL: srv.URL, Token: testToken, LocationID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	_, writeErr := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "gid://shopify/InventoryItem/1", Quantity: 1}})
	itemsErr := conn.Items(context.Background(), []string{"A"}, func(channel.Item) error { return nil })
	for _, err := range []error{writeErr, itemsErr} {
		if err == nil || !strings.Contains(err.Error(), "403") {
			t.Fatalf("error %v, want the 403", err)
		}
		if containsToken(err.Error()) {
			t.Errorf("error %q shows the token", err)
		}
	}
	if !channel.IsRefused(writeErr) {
		t.Errorf("a 403 to a write is not a refusal: %v", writeErr)
	}
}

func TestBaseURLWithCredentialsIsRefused(t *testing.T) {
	for _, base := range []string{"https://owner:pw-s3cret@eu-store.example", "https://eu-store.example/?access=q-s3cret"} {
		_, err := New(Config{BaseURL: base, Token: testToken, LocationID: "1"})
		if err == nil {
			t.Fatalf("%s accepted", base)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error %q shows the URL's secret", err)
		}
	}
}

// When the store redirects to another origin, that origin must not receive the access
// token: Go copies custom headers such as X-Shopify-Access-Token to wherever a redirect
// points. Every call to the store is a POST, which is not redirected at all: the other
// origin receives nothing, and the call fails with the 3xx.
func TestTheTokenNeverFollowsARedirectToAnotherOrigin(t *testing.T) {
	elsewhere := egresstest.NewElsewhere(t)
	for _, target := range elsewhere.Origins() {
		store := egresstest.Redirector(t, target, http.StatusTemporaryRedirect)
		conn, err := New(Config{BaseURL: store.URL, Token: testToken, LocationID: "1", MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, writeErr := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "gid://shopify/InventoryItem/1", Quantity: 1}})
		itemsErr := conn.Items(context.Background(), []string{"A"}, func(channel.Item) error { return nil })
		for _, err := range []error{writeErr, itemsErr} {
			if err == nil || !strings.Contains(err.Error(), "HTTP 307") {
				t.Errorf("a redirected call: error %v, want the 307", err)
			}
		}
	}
	elsewhere.AssertNotSent(t, 0)
}

// A store that echoes the token where the error answer is cut must not leave its start in the
// error: the answer is redacted as a whole before it is cut.
func TestAnErrorAnswerIsRedactedBeforeItIsCut(t *testing.T) {
	for pad := 500; pad < 512; pad += 3 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, strings.Repeat("x", pad)+" "+r.Header.Get("X-Shopify-Access-Token")+" is not valid here", http.StatusForbidden)
		}))
		conn, err := New(Config{BaseURL: srv.URL, Token: testToken, LocationID: "1", MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, writeErr := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "gid://shopify/InventoryItem/1", Quantity: 1}})
		itemsErr := conn.Items(context.Background(), []string{"A"}, func(channel.Item) error { return nil })
		srv.Close()
		for _, err := range []error{writeErr, itemsErr} {
			var httpErr *HTTPError
			if !errors.As(err, &httpErr) {
				t.Fatalf("error %v, want an HTTP error", err)
			}
			for _, shown := range []string{err.Error(), httpErr.Body} {
				if strings.Contains(shown, testToken[:6]) {
					t.Errorf("token at byte %d: %q shows the start of the token", pad+1, shown)
				}
			}
		}
	}
}

// A store URL may point at any server, say an internal admin API: its error page must not
// reach the error (and through it a status or an Event), only the pod's log. Shopify's own
// error document is shown.
func TestAnErrorAnswerShowsOnlyTheStatusAndShopifysError(t *testing.T) {
	for _, tt := range []struct {
		body, want string
		hidden     string
	}{
		{"<h1>admin</h1> db_password=hunter2", "HTTP 403 Forbidden", "db_password"},
		{`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`, "HTTP 403 Forbidden: [API] Invalid API key", ""},
		{`{"errors":[{"message":"Access denied for inventorySetQuantities field."}]}`, "HTTP 403 Forbidden: Access denied for inventorySetQuantities", ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(tt.body))
		}))
		conn, err := New(Config{BaseURL: srv.URL, Token: testToken, LocationID: "1", MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, writeErr := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "gid://shopify/InventoryItem/1", Quantity: 1}})
		itemsErr := conn.Items(context.Background(), []string{"A"}, func(channel.Item) error { return nil })
		srv.Close()
		for _, err := range []error{writeErr, itemsErr} {
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("answer %s: error %v, want %q", tt.body, err, tt.want)
				continue
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("error %q shows the answer's page", err)
			}
			if !strings.Contains(channel.Answer(err), strings.TrimSpace(tt.body[:20])) {
				t.Errorf("the answer kept for the log is %q", channel.Answer(err))
			}
		}
	}
}
