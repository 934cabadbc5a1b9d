package syncrun_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

const location = "loc-1"

// webhookChannel is a webhook receiver behind an HTTP server, with a connector to it and a
// hook that runs before each write request reaches the receiver, to play another writer.
type webhookChannel struct {
	rc   *webhooktest.Receiver
	conn *webhook.Connector

	mu          sync.Mutex
	writes      map[string]int
	beforeWrite func(n int)
}

func newWebhookChannel(t *testing.T, items ...channel.Item) *webhookChannel {
	t.Helper()
	secret := []byte("test-secret")
	ch := &webhookChannel{rc: webhooktest.NewReceiver(secret), writes: map[string]int{}}
	ch.rc.Put(location, items...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if op := strings.TrimPrefix(r.URL.Path, "/"); op != webhook.OperationQuery {
			ch.mu.Lock()
			ch.writes[op]++
			n, hook := ch.writes[webhook.OperationSet]+ch.writes[webhook.OperationAdjust], ch.beforeWrite
			ch.mu.Unlock()
			if hook != nil {
				hook(n)
			}
		}
		ch.rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	conn, err := webhook.New(webhook.Config{
		URL:         srv.URL,
		Secret:      secret,
		LocationID:  location,
		MaxAttempts: 2,
		Sleep:       func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	ch.conn = conn
	return ch
}

func (ch *webhookChannel) onWrite(hook func(n int)) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.beforeWrite = hook
}

func (ch *webhookChannel) writeRequests(op string) int {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.writes[op]
}

// quantities returns each item's quantity by id.
func (ch *webhookChannel) quantities() map[string]int64 {
	out := map[string]int64{}
	for _, item := range ch.rc.Items(location) {
		out[item.ID] = item.Quantity
	}
	return out
}

// smallBatches is a connector that takes fewer changes per Write than the one it wraps, so
// that small tests have several batches.
type smallBatches struct {
	channel.Connector
	size int
}

func (s smallBatches) MaxBatch() int { return s.size }

func item(id, sku string, q int64) channel.Item { return channel.Item{ID: id, SKU: sku, Quantity: q} }

// levels builds a feed's levels from "sku=quantity" pairs.
func levels(t testing.TB, pairs ...string) syncrun.StaticLevels {
	t.Helper()
	var b strings.Builder
	b.WriteString("sku,quantity\n")
	for _, p := range pairs {
		b.WriteString(strings.Replace(p, "=", ",", 1) + "\n")
	}
	l, err := fulfillment.Parse(strings.NewReader(b.String()), v1alpha1.FeedFormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	return syncrun.StaticLevels{Levels: l}
}

func options(src syncrun.LevelSource, conn channel.Connector) syncrun.Options {
	return syncrun.Options{
		Levels:        src,
		Connector:     conn,
		Strategy:      v1alpha1.StrategyAbsolute,
		DuplicateSKUs: v1alpha1.DuplicateSKUsSkip,
		RunID:         "run-1",
	}
}

func checkCounts(t *testing.T, got syncrun.Report, want v1alpha1.SKUCounts, status syncrun.Status) {
	t.Helper()
	if got.Result.SKUs != want {
		t.Errorf("counts %+v, want %+v", got.Result.SKUs, want)
	}
	if got.Status != status {
		t.Errorf("status %v, want %v (result %+v)", got.Status, status, got.Result)
	}
	checkCountsAddUp(t, got)
}

// checkCountsAddUp checks the invariant every report keeps, whatever happened:
// read = unchanged + updated + skippedDuplicates + notFound + untracked + notStocked +
// nativeBundles + failed, and a failure sample
// whenever something failed.
func checkCountsAddUp(t *testing.T, got syncrun.Report) {
	t.Helper()
	c := got.Result.SKUs
	if sum := c.Unchanged + c.Updated + c.SkippedDuplicates + c.NotFound + c.Untracked + c.NotStocked + c.NativeBundles + c.Failed; sum != c.Read {
		t.Errorf("counts %+v add up to %d, not read = %d", c, sum, c.Read)
	}
	if c.Failed > 0 && len(got.Result.Failures) == 0 {
		t.Errorf("%d SKUs failed without a failure sample", c.Failed)
	}
}

func checkQuantities(t *testing.T, ch *webhookChannel, want map[string]int64) {
	t.Helper()
	got := ch.quantities()
	for id, q := range want {
		if got[id] != q {
			t.Errorf("item %s shows %d, want %d", id, got[id], q)
		}
	}
}

func webhooktestFailure() webhooktest.Injected {
	return webhooktest.Injected{Status: http.StatusServiceUnavailable}
}
