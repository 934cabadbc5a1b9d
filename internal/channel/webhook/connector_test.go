package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
)

const location = "berlin"

var secret = []byte("demo-secret")

// fixture is a connector wired to an in-memory receiver on loopback, with a recording sleep.
type fixture struct {
	receiver  *webhooktest.Receiver
	connector *webhook.Connector
	sleeps    []time.Duration
}

func newFixture(t *testing.T, cfg webhook.Config) *fixture {
	t.Helper()
	f := &fixture{receiver: webhooktest.NewReceiver(secret)}
	srv := httptest.NewServer(f.receiver)
	t.Cleanup(srv.Close)
	cfg.URL = srv.URL + "/"
	if cfg.Secret == nil {
		cfg.Secret = secret
	}
	cfg.LocationID = location
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		f.sleeps = append(f.sleeps, d)
		return ctx.Err()
	}
	c, err := webhook.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.connector = c
	return f
}

func (f *fixture) items(t *testing.T, skus []string) []channel.Item {
	t.Helper()
	var items []channel.Item
	err := f.connector.Items(context.Background(), skus, func(item channel.Item) error {
		items = append(items, item)
		return nil
	})
	if err != nil {
		t.Fatalf("Items: %v", err)
	}
	slices.SortFunc(items, func(a, b channel.Item) int { return strings.Compare(a.ID, b.ID) })
	return items
}

func (f *fixture) quantity(t *testing.T, id string) int64 {
	t.Helper()
	item, ok := f.receiver.Item(location, id)
	if !ok {
		t.Fatalf("receiver has no item %q", id)
	}
	return item.Quantity
}

func ptr(v int64) *int64 { return &v }

func TestSignWorkedExample(t *testing.T) {
	// The example of docs/webhook-channel.md; a receiver's implementation can be checked
	// against it.
	body := `{"locationId":"berlin","items":[{"id":"item-1","sku":"A-1","quantity":98,"compareQuantity":95}]}`
	got := webhook.Sign([]byte("demo-secret"), 1767225600, webhook.OperationSet, "run-7f3c-0001", []byte(body))
	const want = "sha256=399905d5a729710597df9dd954c87e2e184239f9235930002069d41a6657bb93"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if !webhook.Verify([]byte("demo-secret"), want, 1767225600, webhook.OperationSet, "run-7f3c-0001", []byte(body)) {
		t.Error("Verify rejects the example")
	}
	for _, tampered := range []string{strings.Replace(body, "98", "99", 1), body + " "} {
		if webhook.Verify([]byte("demo-secret"), want, 1767225600, webhook.OperationSet, "run-7f3c-0001", []byte(tampered)) {
			t.Errorf("Verify accepts tampered body %s", tampered)
		}
	}
	if webhook.Verify([]byte("demo-secret"), want, 1767225600, webhook.OperationAdjust, "run-7f3c-0001", []byte(body)) {
		t.Error("Verify accepts the signature for another operation")
	}
	if webhook.Verify([]byte("demo-secret"), want, 1767225600, webhook.OperationSet, "run-7f3c-0002", []byte(body)) {
		t.Error("Verify accepts the signature under another idempotency key")
	}
}

func TestItemsReadsEveryPageAndBatch(t *testing.T) {
	f := newFixture(t, webhook.Config{})
	const n = 2500 // three pages of MaxQueryLimit
	var skus []string
	for i := range n {
		sku := fmt.Sprintf("SKU-%04d", i)
		skus = append(skus, sku)
		f.receiver.Put(location, channel.Item{ID: fmt.Sprintf("item-%04d", i), SKU: sku, Quantity: int64(i)})
	}
	f.receiver.Put(location, channel.Item{ID: "item-dup", SKU: "SKU-0007", Quantity: 1})
	f.receiver.Put("elsewhere", channel.Item{ID: "item-x", SKU: "SKU-0007", Quantity: 1})

	all := f.items(t, nil)
	if len(all) != n+1 {
		t.Fatalf("Items(nil) yielded %d items, want %d", len(all), n+1)
	}
	if all[42] != (channel.Item{ID: "item-0042", SKU: "SKU-0042", Quantity: 42}) {
		t.Errorf("item 42 = %+v", all[42])
	}

	queriesBefore := f.receiver.Stats().Queries
	some := f.items(t, append(skus[:1500:1500], "SKU-absent"))
	if len(some) != 1501 { // 1500 SKUs, one of them shared by two items
		t.Fatalf("Items(1501 SKUs) yielded %d items, want 1501", len(some))
	}
	if q := f.receiver.Stats().Queries - queriesBefore; q != 3 { // 1000 SKUs (1 page + 1), 501 SKUs
		t.Errorf("Items(1501 SKUs) sent %d queries, want 3", q)
	}

	if got := f.items(t, []string{}); len(got) != 0 {
		t.Errorf("Items(empty) yielded %v", got)
	}
}

func TestItemsStopsOnCallbackError(t *testing.T) {
	f := newFixture(t, webhook.Config{})
	f.receiver.Put(location, channel.Item{ID: "a", SKU: "A"}, channel.Item{ID: "b", SKU: "B"})
	stop := errors.New("stop")
	err := f.connector.Items(context.Background(), nil, func(channel.Item) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("Items = %v, want the callback's error", err)
	}
}

func TestWrongSecretIsRejectedWithoutRetry(t *testing.T) {
	f := newFixture(t, webhook.Config{Secret: []byte("not-the-secret")})
	err := f.connector.Items(context.Background(), nil, func(channel.Item) error { return nil })
	var httpErr *webhook.HTTPError
	if !errors.As(err, &httpErr) || httpErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Items = %v, want HTTP 401", err)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("error %q reveals the secret", err)
	}
	if st := f.receiver.Stats(); st.Requests != 1 {
		t.Errorf("receiver saw %d requests, want 1 (no retry of a 401)", st.Requests)
	}
}

func TestStaleTimestampIsRejected(t *testing.T) {
	f := newFixture(t, webhook.Config{Now: func() time.Time { return time.Now().Add(-10 * time.Minute) }})
	err := f.connector.Items(context.Background(), nil, func(channel.Item) error { return nil })
	var httpErr *webhook.HTTPError
	if !errors.As(err, &httpErr) || httpErr.StatusCode != http.StatusUnauthorized || !strings.Contains(err.Error(), "timestamp") {
		t.Fatalf("Items = %v, want HTTP 401 about the timestamp", err)
	}
}

func TestWriteAbsoluteAndIncremental(t *testing.T) {
	f := newFixture(t, webhook.Config{})
	f.receiver.Put(location,
		channel.Item{ID: "item-1", SKU: "A-1", Quantity: 95},
		channel.Item{ID: "item-2", SKU: "B-2", Quantity: 30})

	results, err := f.connector.Write(context.Background(), v1alpha1.StrategyAbsolute, "run-1/0", []channel.Change{
		{ItemID: "item-1", SKU: "A-1", Quantity: 98, CompareQuantity: ptr(95)},
		{ItemID: "item-2", SKU: "B-2", Quantity: 27},
	})
	if err != nil {
		t.Fatalf("Write absolute: %v", err)
	}
	assertOutcomes(t, results, channel.Applied, channel.Applied)
	if f.quantity(t, "item-1") != 98 || f.quantity(t, "item-2") != 27 {
		t.Fatalf("after set: %v", f.receiver.Items(location))
	}

	results, err = f.connector.Write(context.Background(), v1alpha1.StrategyIncremental, "run-1/1", []channel.Change{
		{ItemID: "item-1", SKU: "A-1", Quantity: 3},
		{ItemID: "item-2", SKU: "B-2", Quantity: -5, CompareQuantity: ptr(27)},
	})
	if err != nil {
		t.Fatalf("Write incremental: %v", err)
	}
	assertOutcomes(t, results, channel.Applied, channel.Applied)
	if f.quantity(t, "item-1") != 101 || f.quantity(t, "item-2") != 22 {
		t.Fatalf("after adjust: %v", f.receiver.Items(location))
	}
}

func TestWritePerItemResults(t *testing.T) {
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyAbsolute, v1alpha1.StrategyIncremental} {
		t.Run(string(strategy), func(t *testing.T) {
			f := newFixture(t, webhook.Config{})
			f.receiver.Put(location,
				channel.Item{ID: "ok", SKU: "A", Quantity: 10},
				channel.Item{ID: "moved", SKU: "B", Quantity: 12},
				channel.Item{ID: "locked", SKU: "C", Quantity: 5})
			f.receiver.Refuse("C", "item is archived")

			results, err := f.connector.Write(context.Background(), strategy, "key", []channel.Change{
				{ItemID: "ok", SKU: "A", Quantity: 1, CompareQuantity: ptr(10)},
				{ItemID: "moved", SKU: "B", Quantity: 1, CompareQuantity: ptr(10)},
				{ItemID: "locked", SKU: "C", Quantity: 1},
				{ItemID: "gone", SKU: "D", Quantity: 1},
			})
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			assertOutcomes(t, results, channel.Applied, channel.Stale, channel.Failed, channel.Failed)
			if results[1].Reason != "channel shows 12" {
				t.Errorf("stale reason = %q", results[1].Reason)
			}
			if results[2].Reason != "item is archived" || !strings.Contains(results[3].Reason, `no item "gone"`) {
				t.Errorf("failure reasons = %q, %q", results[2].Reason, results[3].Reason)
			}
			if f.quantity(t, "moved") != 12 || f.quantity(t, "locked") != 5 {
				t.Errorf("a stale or failed item changed: %v", f.receiver.Items(location))
			}
		})
	}
}

func TestRetriedWriteIsAppliedOnce(t *testing.T) {
	f := newFixture(t, webhook.Config{})
	f.receiver.Put(location, channel.Item{ID: "item-1", SKU: "A-1", Quantity: 10})
	f.receiver.LoseAnswers(1) // applied, but the answer is a 502

	change := []channel.Change{{ItemID: "item-1", SKU: "A-1", Quantity: 3}}
	results, err := f.connector.Write(context.Background(), v1alpha1.StrategyIncremental, "run-1/0", change)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	assertOutcomes(t, results, channel.Applied)
	if q := f.quantity(t, "item-1"); q != 13 {
		t.Fatalf("quantity = %d, want 13 (applied once)", q)
	}
	// A later Write with the same key, as a restarted sync pod would send, is a replay too.
	if _, err := f.connector.Write(context.Background(), v1alpha1.StrategyIncremental, "run-1/0", change); err != nil {
		t.Fatalf("second Write: %v", err)
	}
	if q := f.quantity(t, "item-1"); q != 13 {
		t.Fatalf("quantity = %d after a repeated key, want 13", q)
	}
	if st := f.receiver.Stats(); st.Writes != 1 || st.Replays != 2 {
		t.Errorf("stats = %+v, want 1 write and 2 replays", st)
	}
}

func TestKeyReusedForAnotherWriteIsRefused(t *testing.T) {
	f := newFixture(t, webhook.Config{})
	f.receiver.Put(location, channel.Item{ID: "item-1", SKU: "A-1", Quantity: 10})
	ctx := context.Background()
	if _, err := f.connector.Write(ctx, v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "item-1", SKU: "A-1", Quantity: 5}}); err != nil {
		t.Fatal(err)
	}
	_, err := f.connector.Write(ctx, v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "item-1", SKU: "A-1", Quantity: 6}})
	if !channel.IsRefused(err) || !strings.Contains(err.Error(), "HTTP 422") {
		t.Fatalf("Write = %v, want a refusal with HTTP 422", err)
	}
	if f.quantity(t, "item-1") != 5 {
		t.Errorf("the refused write changed the item")
	}
}

func TestRetriesServerErrorsWithBackoff(t *testing.T) {
	f := newFixture(t, webhook.Config{})
	f.receiver.Put(location, channel.Item{ID: "item-1", SKU: "A-1", Quantity: 10})
	f.receiver.Inject(webhooktest.Injected{Status: 500}, webhooktest.Injected{Status: 503}, webhooktest.Injected{Status: 409})

	results, err := f.connector.Write(context.Background(), v1alpha1.StrategyAbsolute, "k", []channel.Change{{ItemID: "item-1", SKU: "A-1", Quantity: 4}})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	assertOutcomes(t, results, channel.Applied)
	if len(f.sleeps) != 3 {
		t.Fatalf("slept %v, want 3 waits", f.sleeps)
	}
	for i, d := range f.sleeps {
		base := 500 * time.Millisecond << i
		if d < base/2 || d > base {
			t.Errorf("wait %d = %v, want within [%v, %v]", i, d, base/2, base)
		}
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		retryAfter string
		want       time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"HTTP date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"capped", "86400", retry.MaxAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, webhook.Config{Now: func() time.Time { return now }})
			f.receiver.Now = func() time.Time { return now }
			f.receiver.Inject(webhooktest.Injected{Status: http.StatusTooManyRequests, RetryAfter: tt.retryAfter})
			f.items(t, nil)
			if !slices.Equal(f.sleeps, []time.Duration{tt.want}) {
				t.Fatalf("slept %v, want [%v]", f.sleeps, tt.want)
			}
		})
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	f := newFixture(t, webhook.Config{MaxAttempts: 3})
	for range 5 {
		f.receiver.Inject(webhooktest.Injected{Status: http.StatusServiceUnavailable})
	}
	err := f.connector.Items(context.Background(), nil, func(channel.Item) error { return nil })
	var httpErr *webhook.HTTPError
	if !errors.As(err, &httpErr) || httpErr.StatusCode != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("Items = %v, want a 503 after 3 attempts", err)
	}
	if st := f.receiver.Stats(); st.Requests != 3 {
		t.Errorf("receiver saw %d requests, want 3", st.Requests)
	}
}

func TestCancellationStopsRetrying(t *testing.T) {
	receiver := webhooktest.NewReceiver(secret)
	receiver.Inject(webhooktest.Injected{Status: http.StatusServiceUnavailable, RetryAfter: "300"})
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		receiver.ServeHTTP(w, r)
		cancel() // the caller gives up while the connector would wait 300 s
	}))
	defer srv.Close()
	c, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret}) // the real sleep
	if err != nil {
		t.Fatal(err)
	}
	err = c.Items(ctx, nil, func(channel.Item) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Items = %v, want context.Canceled", err)
	}
}

func TestWriteChecksItsArguments(t *testing.T) {
	f := newFixture(t, webhook.Config{})
	ctx := context.Background()
	tooMany := make([]channel.Change, webhook.MaxBatch+1)
	if _, err := f.connector.Write(ctx, v1alpha1.StrategyAbsolute, "k", tooMany); err == nil {
		t.Error("Write accepted more than MaxBatch changes")
	}
	if _, err := f.connector.Write(ctx, v1alpha1.StrategyAbsolute, "", tooMany[:1]); err == nil {
		t.Error("Write accepted an empty key")
	}
	if _, err := f.connector.Write(ctx, v1alpha1.StrategyAbsolute, strings.Repeat("k", webhook.MaxIdempotencyKey+1), tooMany[:1]); err == nil {
		t.Error("Write accepted an overlong key")
	}
	if _, err := f.connector.Write(ctx, "Sideways", "k", tooMany[:1]); err == nil {
		t.Error("Write accepted an unknown strategy")
	}
	if results, err := f.connector.Write(ctx, v1alpha1.StrategyAbsolute, "k", nil); err != nil || len(results) != 0 {
		t.Errorf("Write(no changes) = %v, %v", results, err)
	}
	if st := f.receiver.Stats(); st.Requests != 0 {
		t.Errorf("receiver saw %d requests, want none", st.Requests)
	}
	if f.connector.MaxBatch() != webhook.MaxBatch {
		t.Errorf("MaxBatch = %d", f.connector.MaxBatch())
	}
}

func TestNewChecksConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  webhook.Config
	}{
		{"no URL", webhook.Config{Secret: secret}},
		{"relative URL", webhook.Config{URL: "/levels", Secret: secret}},
		{"other scheme", webhook.Config{URL: "ftp://host", Secret: secret}},
		{"query in URL", webhook.Config{URL: "https://host/?token=x", Secret: secret}},
		{"no secret", webhook.Config{URL: "https://host"}},
		{"negative attempts", webhook.Config{URL: "https://host", Secret: secret, MaxAttempts: -1}},
	}
	for _, tt := range tests {
		if _, err := webhook.New(tt.cfg); err == nil {
			t.Errorf("%s: New accepted %+v", tt.name, tt.cfg)
		} else if strings.Contains(err.Error(), "token=x") {
			t.Errorf("%s: error %q reveals the query", tt.name, err)
		}
	}
	if _, err := webhook.New(webhook.Config{URL: "https://channel.example/inventory", Secret: secret}); err != nil {
		t.Errorf("New rejected a valid config: %v", err)
	}
}

func assertOutcomes(t *testing.T, results []channel.ChangeResult, want ...channel.Outcome) {
	t.Helper()
	if len(results) != len(want) {
		t.Fatalf("got %d results, want %d", len(results), len(want))
	}
	for i, w := range want {
		if results[i].Outcome != w {
			t.Errorf("result %d = %v (%s), want %v", i, results[i].Outcome, results[i].Reason, w)
		}
	}
}
