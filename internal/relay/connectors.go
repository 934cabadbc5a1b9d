package relay

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/metrics"
)

// ConnectorFactory builds the connector of a channel at a location with its credential.
type ConnectorFactory func(ch *v1alpha1.SalesChannel, locationID string, credential []byte) (channel.Connector, error)

// DefaultConnectorFactory builds the platform's connector, sending with client (a default
// client when nil). The connectors' waits before calls count as throttle waits. Shopify
// connectors of one store and credential share one rate-limit bucket, whatever their
// location: Shopify keeps one per store and app.
func DefaultConnectorFactory(client *http.Client) ConnectorFactory {
	buckets := &storeBuckets{byStore: map[[sha256.Size]byte]*shopify.Bucket{}}
	return func(ch *v1alpha1.SalesChannel, locationID string, credential []byte) (channel.Connector, error) {
		conn := ch.Spec.Connection
		switch ch.Spec.Platform {
		case v1alpha1.PlatformShopify:
			return shopify.New(shopify.Config{BaseURL: conn.URL, Token: string(credential), LocationID: locationID, Plan: conn.Plan,
				QuantityName: ch.Spec.Inventory.Quantity(), HTTPClient: client, Sleep: meteredSleep(ch.Spec.Platform),
				Bucket: buckets.of(ch, credential)})
		case v1alpha1.PlatformWebhook:
			return webhook.New(webhook.Config{URL: conn.URL, Secret: credential, LocationID: locationID, HTTPClient: client, Sleep: meteredSleep(ch.Spec.Platform)})
		default:
			return nil, fmt.Errorf("platform %q has no connector", ch.Spec.Platform)
		}
	}
}

// storeBuckets holds one rate-limit bucket per Shopify store, app credential and plan.
type storeBuckets struct {
	mu      sync.Mutex
	byStore map[[sha256.Size]byte]*shopify.Bucket
}

// maxStoreBuckets bounds the buckets kept; past it they start anew, which costs at most a
// few throttled calls while the models learn the stores' levels again.
const maxStoreBuckets = 10_000

func (b *storeBuckets) of(ch *v1alpha1.SalesChannel, credential []byte) *shopify.Bucket {
	h := sha256.New()
	for _, s := range []string{strings.TrimRight(ch.Spec.Connection.URL, "/"), string(ch.Spec.Connection.Plan)} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	h.Write(credential)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	b.mu.Lock()
	defer b.mu.Unlock()
	if bucket, ok := b.byStore[key]; ok {
		return bucket
	}
	if len(b.byStore) >= maxStoreBuckets {
		clear(b.byStore)
	}
	bucket := shopify.NewBucket(ch.Spec.Connection.Plan, meteredSleep(ch.Spec.Platform)).Metered(metrics.StorePoints)
	b.byStore[key] = bucket
	return bucket
}

// connectionFingerprint changes when anything a connector was built from changes, so a new
// URL, plan, quantity name or rotated credential gets a new connector.
func connectionFingerprint(ch *v1alpha1.SalesChannel, credential []byte) [sha256.Size]byte {
	h := sha256.New()
	for _, s := range []string{string(ch.Spec.Platform), ch.Spec.Connection.URL, string(ch.Spec.Connection.Plan), string(ch.Spec.Inventory.Quantity())} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	h.Write(credential)
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}
