package relay

import (
	"context"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
	"github.com/techoms/inventory-operator/internal/ledger/ledgertest"
)

// benchChannel is the Shopify Plus channel "shop" of the relay benchmarks, in
// RealTimeAdjustment, at the fake store's URL.
func benchChannel(url string) v1alpha1.SalesChannel {
	return v1alpha1.SalesChannel{
		ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: testNamespace},
		Spec: v1alpha1.SalesChannelSpec{
			Platform:   v1alpha1.PlatformShopify,
			Connection: v1alpha1.ChannelConnection{URL: url, Plan: v1alpha1.PlanPlus, CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: "shop-admin", Key: "token"}},
			Inventory:  v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeRealTimeAdjustment},
		},
	}
}

// serveBenchRelay serves a relay with the default configuration for the scope over loopback,
// with the fake store's credentials and its ledger on a JetStream server of its own in this
// process (writing to disk as the ledger's StatefulSet does), and returns its URL; it stops
// with the benchmark.
func serveBenchRelay(b *testing.B, scope Scope) (*Service, string) {
	return serveBenchRelayWith(b, scope, nil)
}

// serveBenchRelayWith is serveBenchRelay with connectors from connect (the default when nil).
func serveBenchRelayWith(b *testing.B, scope Scope, connect ConnectorFactory) (*Service, string) {
	dir := NewStaticDirectory(scope)
	dir.SetCredential(testNamespace, "shop-admin", "token", []byte(shopifytest.DefaultToken))
	calls, _ := strconv.Atoi(os.Getenv("BENCH_RELAY_CALLS_PER_STORE"))
	svc, err := New(Config{Directory: dir, Connect: connect, Ledger: ledgertest.StartDurable(b).Open(b), CallsPerStore: calls})
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.WaitSynced(context.Background()); err != nil {
		b.Fatal(err)
	}
	tokens, _ := ParseTokens(testToken)
	api := httptest.NewServer(svc.Handler(HandlerOptions{Tokens: func() (*TokenSet, error) { return tokens, nil }}))
	b.Cleanup(func() { api.Close(); svc.Close() })
	return svc, api.URL
}
