package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/egress/egresstest"
)

// A receiver, or a proxy in front of it, that echoes a credential in an error answer must not
// get it into the connector's errors; neither does userinfo in the channel's URL.
func TestErrorsShowNoCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "secret demo-secret does not sign "+r.URL.Path, http.StatusUnauthorized)
	}))
	defer srv.Close()
	url := strings.Replace(srv.URL, "http://", "http://hookuser:pw-s3cret@", 1)
	c, err := webhook.New(webhook.Config{URL: url, Secret: secret, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, writeErr := c.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "item-1", Quantity: 1}})
	itemsErr := c.Items(context.Background(), nil, func(channel.Item) error { return nil })

	srv.Close() // and now nothing answers: a transport error
	_, transportErr := c.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "item-1", Quantity: 1}})
	for _, err := range []error{writeErr, itemsErr, transportErr} {
		if err == nil {
			t.Fatal("a call succeeded")
		}
		for _, s := range []string{string(secret), "pw-s3cret", "hookuser"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q shows %q", err, s)
			}
		}
	}
}

// A receiver that redirects to another origin must not hand that origin a signed request:
// Go copies custom headers such as X-Inventory-Signature to wherever a redirect points, and
// a 308 resends the body. Every call of the protocol is a POST, which is not redirected at
// all: the other origin receives nothing, and the call fails with the 3xx.
func TestTheSignatureNeverFollowsARedirectToAnotherOrigin(t *testing.T) {
	elsewhere := egresstest.NewElsewhere(t)
	for _, target := range elsewhere.Origins() {
		receiver := egresstest.Redirector(t, target, http.StatusPermanentRedirect)
		c, err := webhook.New(webhook.Config{URL: receiver.URL, Secret: secret, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, writeErr := c.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "item-1", Quantity: 1}})
		itemsErr := c.Items(context.Background(), nil, func(channel.Item) error { return nil })
		for _, err := range []error{writeErr, itemsErr} {
			if err == nil || !strings.Contains(err.Error(), "HTTP 308") {
				t.Errorf("a redirected call: error %v, want the 308", err)
			}
		}
	}
	elsewhere.AssertNotSent(t, 0)
}

// A receiver that echoes the secret where the error answer is cut must not leave its start
// in the error: the answer is redacted as a whole before it is cut.
func TestAnErrorAnswerIsRedactedBeforeItIsCut(t *testing.T) {
	for pad := 190; pad < 200; pad++ {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, strings.Repeat("x", pad)+" "+string(secret)+" does not sign this", http.StatusUnauthorized)
		}))
		c, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Items(context.Background(), nil, func(channel.Item) error { return nil })
		srv.Close()
		var httpErr *webhook.HTTPError
		if !errors.As(err, &httpErr) {
			t.Fatalf("Items = %v, want an HTTP error", err)
		}
		for _, shown := range []string{err.Error(), httpErr.Body} {
			if strings.Contains(shown, string(secret[:4])) {
				t.Errorf("secret at byte %d: %q shows the start of the secret", pad+1, shown)
			}
		}
	}
}

// A channel URL may point at any server, say an internal admin API: its error page must not
// reach the error (and through it a status or an Event), only the pod's log. The protocol's
// own error document is shown.
func TestAnErrorAnswerShowsOnlyTheStatusAndTheProtocolsReason(t *testing.T) {
	page := "<h1>admin</h1> db_password=hunter2 at /var/lib/admin"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/"+webhook.OperationSet {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"reason": "unknown location \"eu-1\""}`))
			return
		}
		http.Error(w, page, http.StatusForbidden)
	}))
	defer srv.Close()
	c, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	itemsErr := c.Items(context.Background(), nil, func(channel.Item) error { return nil })
	if itemsErr == nil || !strings.Contains(itemsErr.Error(), "HTTP 403") || strings.Contains(itemsErr.Error(), "db_password") {
		t.Errorf("error %v: want HTTP 403 and nothing of the page", itemsErr)
	}
	if answer := channel.Answer(itemsErr); !strings.Contains(answer, "db_password") {
		t.Errorf("the answer kept for the log is %q", answer)
	}
	_, writeErr := c.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "item-1", Quantity: 1}})
	if !channel.IsRefused(writeErr) || !strings.Contains(writeErr.Error(), `HTTP 400 Bad Request: unknown location "eu-1"`) {
		t.Errorf("error %v: want a refusal with the protocol's reason", writeErr)
	}
	if answer := channel.Answer(writeErr); !strings.Contains(answer, "unknown location") {
		t.Errorf("a refusal lost the answer kept for the log: %q", answer)
	}
}
