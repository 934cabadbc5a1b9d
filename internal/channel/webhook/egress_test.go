package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
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
// Go copies custom headers such as X-Inventory-Signature to wherever a redirect points.
func TestTheSignatureNeverFollowsARedirectToAnotherOrigin(t *testing.T) {
	var mu sync.Mutex
	var signatures []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		signatures = append(signatures, r.Header.Get(webhook.HeaderSignature))
		mu.Unlock()
		http.Error(w, "not a receiver", http.StatusNotFound)
	}))
	defer elsewhere.Close()
	port := elsewhere.URL[strings.LastIndex(elsewhere.URL, ":"):]
	for _, target := range []string{elsewhere.URL, "http://localhost" + port} {
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target+r.URL.Path, http.StatusPermanentRedirect)
		}))
		c, err := webhook.New(webhook.Config{URL: receiver.URL, Secret: secret, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		c.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "item-1", Quantity: 1}})
		c.Items(context.Background(), nil, func(channel.Item) error { return nil })
		receiver.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(signatures) != 4 {
		t.Fatalf("the other origin got %d requests, want 4", len(signatures))
	}
	for i, sig := range signatures {
		if sig != "" {
			t.Errorf("request %d to the other origin carried the signature %q", i, sig)
		}
	}
}
