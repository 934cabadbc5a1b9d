package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

// Names of the demo objects.
const (
	demoNamespace = "retail"
	demoSecret    = "shopify-eu-admin"
	demoChannel   = "shopify-eu"
	demoSync      = "berlin-to-shopify-eu"
	demoWarehouse = "warehouse-berlin"
)

// demoStock is the fake store's catalog before any sync, and demoFeed what the warehouse
// says: SKU-SHARED belongs to two variants, so the default policy (Skip) leaves it alone;
// SKU-GONE is in the feed only.
var (
	demoStock = []struct {
		sku       string
		available int64
	}{{"SKU-A", 10}, {"SKU-B", 0}, {"SKU-C", 5}, {"SKU-SHARED", 3}, {"SKU-SHARED", 3}}
	demoFeed = "sku,quantity\nSKU-A,98\nSKU-B,27\nSKU-C,5\nSKU-SHARED,40\nSKU-GONE,7\n"
)

// demo is the fake Shopify store and the fulfillment feed, both on one address of the node's
// bridge, where the sync pods reach them.
type demo struct {
	baseURL  string
	feedPath string
	shop     *shopifytest.Handler
	location string
	skus     []string
}

func newDemo(baseURL, feedPath string) (*demo, error) {
	shop, err := shopifytest.NewHandler(shopifytest.Options{Plan: "Standard"})
	if err != nil {
		return nil, fmt.Errorf("fake Shopify store: %w (run `make shopify-schema`)", err)
	}
	d := &demo{baseURL: baseURL, feedPath: feedPath, shop: shop, location: shop.AddLocation("Berlin warehouse")}
	seen := map[string]bool{}
	for _, s := range demoStock {
		_, item := shop.AddVariant(s.sku)
		shop.SetAvailable(item, d.location, s.available)
		if !seen[s.sku] {
			seen[s.sku] = true
			d.skus = append(d.skus, s.sku)
		}
	}
	// The feed is a file so it can be edited while the environment runs.
	if err := os.WriteFile(feedPath, []byte(demoFeed), 0o644); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *demo) close() { d.shop.Close() }

func (d *demo) feedURL() string   { return d.baseURL + "/dev/feed.csv" }
func (d *demo) levelsURL() string { return d.baseURL + "/dev/levels" }

func (d *demo) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dev/feed.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		http.ServeFile(w, r, d.feedPath)
	})
	mux.HandleFunc("GET /dev/levels", d.serveLevels)
	mux.Handle("/", d.shop)
	return mux
}

// level is one variant's quantity at the demo location, as /dev/levels shows it.
type level struct {
	SKU           string `json:"sku"`
	InventoryItem string `json:"inventoryItem"`
	Available     int64  `json:"available"`
}

func (d *demo) levels() []level {
	var out []level
	for _, sku := range d.skus {
		for _, item := range d.shop.InventoryItemGIDs(sku) {
			out = append(out, level{SKU: sku, InventoryItem: item, Available: d.shop.Available(item, d.location)})
		}
	}
	return out
}

func (d *demo) serveLevels(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(map[string]any{"location": d.location, "levels": d.levels()})
}

func newClient(cfg *rest.Config) (client.Client, error) {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	return client.New(cfg, client.Options{Scheme: scheme})
}

// createObjects makes the demo namespace, the store's token Secret, a SalesChannel and a
// recurring InventorySync that runs every minute.
func (d *demo) createObjects(ctx context.Context, c client.Client, syncNow bool) error {
	schedule := "* * * * *"
	sync := &v1alpha1.InventorySync{
		ObjectMeta: metav1.ObjectMeta{Name: demoSync, Namespace: demoNamespace},
		Spec: v1alpha1.InventorySyncSpec{
			SalesChannelRef: v1alpha1.LocalObjectReference{Name: demoChannel},
			FulfillmentChannel: v1alpha1.FulfillmentChannel{
				Name:       demoWarehouse,
				Feed:       &v1alpha1.FeedSource{URL: d.feedURL(), Format: v1alpha1.FeedFormatCSV},
				LocationID: d.location,
			},
			Schedule: &schedule,
		},
	}
	if syncNow {
		// A fulfillment-channel manual sync, so the first result shows within seconds
		// instead of at the next minute.
		sync.Annotations = map[string]string{v1alpha1.SyncRequestedAtAnnotation: strconv.FormatInt(time.Now().Unix(), 10)}
	}
	objects := []client.Object{
		// The restricted Pod Security Standard: the sync and relay pods must meet it.
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: demoNamespace,
			Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}}},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: demoSecret, Namespace: demoNamespace},
			StringData: map[string]string{"token": d.shop.Token()},
		},
		&v1alpha1.SalesChannel{
			ObjectMeta: metav1.ObjectMeta{Name: demoChannel, Namespace: demoNamespace},
			Spec: v1alpha1.SalesChannelSpec{
				Platform: v1alpha1.PlatformShopify,
				Connection: v1alpha1.ChannelConnection{
					URL:                  d.baseURL,
					CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: demoSecret, Key: "token"},
					Plan:                 v1alpha1.PlanStandard,
				},
				Inventory: v1alpha1.InventoryPolicy{
					Mode:          v1alpha1.ModeSynchronizeWithFulfillmentChannel,
					DuplicateSKUs: v1alpha1.DuplicateSKUsSkip,
				},
			},
		},
		sync,
	}
	for _, obj := range objects {
		if err := c.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create %T %s: %w", obj, obj.GetName(), err)
		}
	}
	return nil
}
