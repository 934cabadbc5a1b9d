package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
	"github.com/techoms/inventory-operator/internal/ledger/ledgertest"
)

const (
	testNamespace = "retail"
	testToken     = "relay-test-token"
	// otherTestToken is another namespace's token.
	otherTestToken  = "relay-other-namespace-token"
	testWarehouse   = "warehouse-berlin"
	testSKU         = "SKU-A"
	webhookSecret   = "webhook-signing-secret"
	initialQuantity = 100
)

// testChannel is one sales channel of a test, with where its item for testSKU lives.
type testChannel struct {
	name     string
	platform v1alpha1.Platform
	mode     v1alpha1.InventoryMode
	location string
	itemID   string
}

// testEnv is a relay served over loopback in front of a fake Shopify store and a webhook
// receiver, with a static directory the test edits.
type testEnv struct {
	t        *testing.T
	shop     *shopifytest.Server
	receiver *webhooktest.Receiver
	hookURL  string
	dir      *StaticDirectory
	svc      *Service
	api      *httptest.Server
	channels map[string]*testChannel
	scope    Scope
	shopItem string
	// ledgerSrv and cfg let a test start more replicas sharing the ledger.
	ledgerSrv *ledgertest.Server
	cfg       Config
	handler   HandlerOptions
}

type envOptions struct {
	config Config
	// handler configures the HTTP API; its Tokens are the test's.
	handler HandlerOptions
	// receiverHandler wraps the webhook receiver, to delay or observe requests.
	receiverHandler func(http.Handler) http.Handler
	// ledger is the JetStream server of the relay's ledger; a server of its own when nil.
	ledger *ledgertest.Server
}

func newTestEnv(t *testing.T, opts envOptions) *testEnv {
	t.Helper()
	shop := shopifytest.New(shopifytest.Options{Plan: "Plus"})
	t.Cleanup(shop.Close)
	receiver := webhooktest.NewReceiver([]byte(webhookSecret))
	var hook http.Handler = receiver
	if opts.receiverHandler != nil {
		hook = opts.receiverHandler(receiver)
	}
	hookSrv := httptest.NewServer(hook)
	t.Cleanup(hookSrv.Close)
	dir := NewStaticDirectory(Scope{})
	dir.SetCredential(testNamespace, "shop-admin", "token", []byte(shopifytest.DefaultToken))
	dir.SetCredential(testNamespace, "hook-secret", "secret", []byte(webhookSecret))
	cfg := opts.config
	cfg.Directory = dir
	led := opts.ledger
	if led == nil {
		led = ledgertest.Start(t)
	}
	cfg.Ledger = led.Open(t)
	cfg.Replica = "relay-0"
	if cfg.RetryFirst == 0 {
		cfg.RetryFirst, cfg.RetryLimit = 10*time.Millisecond, 200*time.Millisecond
	}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := svc.WaitSynced(waitCtx); err != nil {
		t.Fatal("the relay did not read the ledger:", err)
	}
	tokens, err := ParseTokens(testToken + "\n" + otherTestToken)
	if err != nil {
		t.Fatal(err)
	}
	handlerOpts := opts.handler
	handlerOpts.Tokens = func() (*TokenSet, error) { return tokens, nil }
	api := httptest.NewServer(svc.Handler(handlerOpts))
	t.Cleanup(func() {
		api.Close()
		svc.Close()
		shop.AssertNoErrors(t)
	})
	return &testEnv{t: t, shop: shop, receiver: receiver, hookURL: hookSrv.URL, dir: dir, svc: svc, api: api, channels: map[string]*testChannel{},
		ledgerSrv: led, cfg: cfg, handler: handlerOpts}
}

// addChannel creates a channel whose item for testSKU shows initialQuantity at a location of
// its own, connected to testWarehouse by an InventorySync.
func (e *testEnv) addChannel(name string, platform v1alpha1.Platform, mode v1alpha1.InventoryMode, duplicates v1alpha1.DuplicateSKUPolicy) *testChannel {
	c := &testChannel{name: name, platform: platform, mode: mode}
	sc := v1alpha1.SalesChannel{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace},
		Spec: v1alpha1.SalesChannelSpec{
			Platform:  platform,
			Inventory: v1alpha1.InventoryPolicy{Mode: mode, DuplicateSKUs: duplicates},
		},
	}
	switch platform {
	case v1alpha1.PlatformShopify:
		c.location = e.shop.AddLocation(name)
		// One variant for testSKU serves every Shopify channel of the test, each at a
		// location of its own, so the SKU is not a duplicate.
		if e.shopItem == "" {
			_, e.shopItem = e.shop.AddVariant(testSKU)
		}
		c.itemID = e.shopItem
		e.shop.SetAvailable(c.itemID, c.location, initialQuantity)
		sc.Spec.Connection = v1alpha1.ChannelConnection{URL: e.shop.URL, Plan: v1alpha1.PlanPlus, CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: "shop-admin", Key: "token"}}
	default:
		c.location, c.itemID = "loc-"+name, "item-"+name
		e.receiver.Put(c.location, channel.Item{ID: c.itemID, SKU: testSKU, Quantity: initialQuantity})
		sc.Spec.Connection = v1alpha1.ChannelConnection{URL: e.hookURL, CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: "hook-secret", Key: "secret"}}
	}
	e.scope.Channels = append(e.scope.Channels, sc)
	e.scope.Syncs = append(e.scope.Syncs, inventorySync(name+"-from-berlin", name, testWarehouse, c.location))
	e.dir.Set(e.scope)
	e.channels[name] = c
	return c
}

func inventorySync(name, channelName, warehouse, location string) v1alpha1.InventorySync {
	return v1alpha1.InventorySync{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace},
		Spec: v1alpha1.InventorySyncSpec{
			SalesChannelRef:    v1alpha1.LocalObjectReference{Name: channelName},
			FulfillmentChannel: v1alpha1.FulfillmentChannel{Name: warehouse, LocationID: location, Feed: &v1alpha1.FeedSource{URL: "http://wms.invalid/levels"}},
		},
	}
}

// level is what the channel shows for its testSKU item.
func (e *testEnv) level(c *testChannel) int64 {
	if c.platform == v1alpha1.PlatformShopify {
		return e.shop.Available(c.itemID, c.location)
	}
	item, ok := e.receiver.Item(c.location, c.itemID)
	if !ok {
		e.t.Fatalf("webhook item %s missing", c.itemID)
	}
	return item.Quantity
}

func (e *testEnv) levels() map[string]int64 {
	out := map[string]int64{}
	for name, c := range e.channels {
		out[name] = e.level(c)
	}
	return out
}

// post sends events with the test token and decodes the answer.
func (e *testEnv) post(events ...Event) (int, Response, http.Header) {
	e.t.Helper()
	body, err := json.Marshal(Request{Events: events})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.postRaw(body, "Bearer "+testToken)
}

func (e *testEnv) postRaw(body []byte, authorization string) (int, Response, http.Header) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, e.api.URL+EventsPath, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := e.api.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var resp Response
	if err := json.NewDecoder(res.Body).Decode(&resp); err != nil {
		e.t.Fatalf("decoding the answer (status %d): %v", res.StatusCode, err)
	}
	return res.StatusCode, resp, res.Header
}

// channelResult finds the result of channel name in an event's results.
func channelResult(t *testing.T, er EventResult, name string) ChannelResult {
	t.Helper()
	for _, cr := range er.Channels {
		if cr.SalesChannel == name {
			return cr
		}
	}
	t.Fatalf("event %s has no result for channel %s: %+v", er.ID, name, er.Channels)
	return ChannelResult{}
}

func ptr(v int64) *int64 { return &v }

// webhookConnectorOnce builds webhook connectors that send each request once, so a lost
// answer surfaces as an error of Write; other platforms as usual.
func webhookConnectorOnce(ch *v1alpha1.SalesChannel, location string, credential []byte) (channel.Connector, error) {
	if ch.Spec.Platform == v1alpha1.PlatformWebhook {
		return webhook.New(webhook.Config{URL: ch.Spec.Connection.URL, Secret: credential, LocationID: location, MaxAttempts: 1})
	}
	return DefaultConnectorFactory(nil)(ch, location, credential)
}

// replica is another relay process sharing the test's ledger and directory.
type replica struct {
	svc *Service
	api *httptest.Server
}

// addReplica starts another relay, named name, on the test's ledger.
func (e *testEnv) addReplica(name string) *replica {
	e.t.Helper()
	cfg := e.cfg
	cfg.Ledger = e.ledgerSrv.Open(e.t)
	cfg.Replica = name
	svc, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	waitCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := svc.WaitSynced(waitCtx); err != nil {
		e.t.Fatal("the replica did not read the ledger:", err)
	}
	api := httptest.NewServer(svc.Handler(e.handler))
	e.t.Cleanup(func() {
		api.Close()
		svc.Close()
	})
	return &replica{svc: svc, api: api}
}

// postTo sends events to one replica's API; safe from several goroutines.
func (e *testEnv) postTo(r *replica, events ...Event) (int, Response) {
	body, err := json.Marshal(Request{Events: events})
	if err != nil {
		panic(err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, r.api.URL+EventsPath, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := r.api.Client().Do(req)
	if err != nil {
		return 0, Response{}
	}
	defer res.Body.Close()
	var resp Response
	_ = json.NewDecoder(res.Body).Decode(&resp)
	return res.StatusCode, resp
}
