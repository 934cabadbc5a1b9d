//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/devdeploy"
)

// An inventory event sent to the relay reaches RealTimeAdjustment channels only.
func TestRelayPushesEventsToRealTimeChannelsOnly(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	f := newFeed(t, "sku,quantity\nSKU-1,10\n")
	shops := map[v1alpha1.InventoryMode]*shop{}
	for i, mode := range []v1alpha1.InventoryMode{
		v1alpha1.ModeRealTimeAdjustment, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.ModeDoNotSynchronize,
	} {
		s := newShopWithSecret(t, ns, "token-"+strconv.Itoa(i), stockLine{"SKU-1", 10})
		ch := newChannel(t, ns, "shop-"+strconv.Itoa(i), s, mode, v1alpha1.DuplicateSKUsSkip)
		// A yearly schedule: no run interferes with the event; the sync only says where to write.
		newSync(t, ns, "to-shop-"+strconv.Itoa(i), ch, f, s, "0 0 1 1 *")
		shops[mode] = s
	}
	relay, relayURL := startRelay(t, ns, "relay-token")

	answer := sendEvents(t, relay, relayURL, "relay-token",
		`{"events":[{"id":"rcpt-1","trigger":"ReceiveReceipt","sku":"SKU-1","fulfillmentChannel":"warehouse","increment":3}]}`)
	statuses := map[string]string{}
	for _, r := range answer.Results {
		for _, c := range r.Channels {
			statuses[c.SalesChannel] = c.Status + " " + c.Reason
		}
	}
	want := map[string]string{"shop-0": "Pushed ", "shop-1": "NotApplicable ModeDoesNotPush", "shop-2": "NotApplicable ModeDoesNotPush"}
	if fmt.Sprint(statuses) != fmt.Sprint(want) {
		t.Errorf("per-channel results %v, want %v", statuses, want)
	}
	shops[v1alpha1.ModeRealTimeAdjustment].waitLevels(t, map[string][]int64{"SKU-1": {13}})
	for _, mode := range []v1alpha1.InventoryMode{v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.ModeDoNotSynchronize} {
		if got := shops[mode].availableBySKU("SKU-1"); got[0] != 10 {
			t.Errorf("%s channel shows %d, want 10 (untouched)", mode, got[0])
		}
	}
}

// relayAnswer is the part of the relay's answer the tests read.
type relayAnswer struct {
	Results []struct {
		Channels []struct {
			SalesChannel string `json:"salesChannel"`
			SKU          string `json:"sku"`
			Status       string `json:"status"`
			Reason       string `json:"reason"`
			Message      string `json:"message"`
		} `json:"channels"`
	} `json:"results"`
	Errors []struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

// sendEvents posts a request body of events to the relay and decodes its answer.
func sendEvents(t *testing.T, relay *http.Client, relayURL, token, body string) relayAnswer {
	t.Helper()
	var answer relayAnswer
	req, err := http.NewRequest(http.MethodPost, relayURL+"/v1/events", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := relay.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("relay answered %s (%v): %+v", resp.Status, err, answer)
	}
	return answer
}

// startRelay installs config/relay in ns with the suite's image, a bearer token and a
// self-signed certificate, waits until it is available and returns a client that reaches it
// through its Service, and the Service's URL.
func startRelay(t *testing.T, ns, token string) (*http.Client, string) {
	t.Helper()
	return startRelayReplicas(t, ns, token, 1)
}

// startRelayReplicas is startRelay with replicas relay pods and extra relay arguments.
func startRelayReplicas(t *testing.T, ns, token string, replicas int64, args ...string) (*http.Client, string) {
	t.Helper()
	ctx := context.Background()
	secrets, caPEM, err := devdeploy.RelaySecrets(ns, token)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		create(t, s)
	}
	if err := devdeploy.InstallRelayReplicas(ctx, k8s, repoRoot(), operatorImage, ns, replicas, args...); err != nil {
		t.Fatalf("install the relay: %v", err)
	}
	return relayClient(t, ns, caPEM)
}

// relayClient is a client that reaches the relay of ns through its Service, trusting caPEM,
// once the relay answers there, and the Service's URL.
func relayClient(t *testing.T, ns string, caPEM []byte) (*http.Client, string) {
	t.Helper()
	ctx := context.Background()
	var svc corev1.Service
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: devdeploy.RelayService}, &svc); err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	host := devdeploy.RelayHost(ns)
	addr := net.JoinHostPort(svc.Spec.ClusterIP, "443")
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: host},
		// The Service's name resolves nowhere on this machine: dial its ClusterIP.
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	url := "https://" + host
	// The Service answers once kube-proxy has programmed the relay's ready endpoint.
	eventually(t, runTimeout, "the relay answering through its Service", func() (bool, string) {
		resp, err := c.Get(url + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return c, url
}
