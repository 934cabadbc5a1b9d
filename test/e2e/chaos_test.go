//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
)

// Chaos figures: fifty senders, each sending its events until every channel answered them,
// while a relay pod is killed every few seconds.
const (
	chaosSenders         = 50
	chaosEventsPerSender = 40
	chaosSKUs            = 8
	chaosStart           = 1000
	chaosKillEvery       = 3 * time.Second
)

// faultyReceiver wraps a webhook receiver with the faults of a real channel, by the count of
// write requests: latency on every one, a 503 on some, a 429 with Retry-After on others,
// and on others the write applied but its answer lost.
func faultyReceiver(rc *webhooktest.Receiver) (http.Handler, *atomic.Int64) {
	var writes atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "levels/adjust") {
			rc.ServeHTTP(w, r)
			return
		}
		n := writes.Add(1)
		time.Sleep(time.Duration(n%5) * 10 * time.Millisecond)
		switch {
		case n%10 == 3:
			http.Error(w, "channel down", http.StatusServiceUnavailable)
		case n%13 == 5:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "throttled", http.StatusTooManyRequests)
		case n%7 == 6:
			rc.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, "answer lost", http.StatusBadGateway)
		default:
			rc.ServeHTTP(w, r)
		}
	}), &writes
}

// TestRelayChaosAppliesEveryEventOnce runs three relay replicas and the ledger on the node,
// in front of a fake Shopify store and a faulty webhook receiver. Fifty senders send
// increments and decrements and retry each until every channel answered it Pushed, on any
// replica (no keep-alive, so kube-proxy spreads them), also sending applied events again,
// while a relay pod is killed every few seconds. Every item must end at its start plus the
// sum of the distinct events' deltas, exactly.
func TestRelayChaosAppliesEveryEventOnce(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	f := newFeed(t, "sku,quantity\n")
	var stock []stockLine
	skus := make([]string, chaosSKUs)
	for i := range skus {
		skus[i] = fmt.Sprintf("CHAOS-%d", i)
		stock = append(stock, stockLine{skus[i], chaosStart})
	}
	s := newShopWithSecret(t, ns, "shop-token", stock...)
	shopCh := newChannel(t, ns, "shop", s, v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip)
	newSync(t, ns, "to-shop", shopCh, f, s, "0 0 1 1 *")

	const hookSecret, hookLocation = "chaos-webhook-secret", "hook-location"
	rc := webhooktest.NewReceiver([]byte(hookSecret))
	for i, sku := range skus {
		rc.Put(hookLocation, channel.Item{ID: fmt.Sprintf("hook-item-%d", i), SKU: sku, Quantity: chaosStart})
	}
	faulty, hookWrites := faultyReceiver(rc)
	hookURL := serveOnBridge(t, faulty)
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "hook-secret", Namespace: ns}, StringData: map[string]string{"secret": hookSecret}})
	hookCh := &v1alpha1.SalesChannel{
		ObjectMeta: metav1.ObjectMeta{Name: "hook", Namespace: ns},
		Spec: v1alpha1.SalesChannelSpec{
			Platform:   v1alpha1.PlatformWebhook,
			Connection: v1alpha1.ChannelConnection{URL: hookURL, CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: "hook-secret", Key: "secret"}},
			Inventory:  v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeRealTimeAdjustment},
		},
	}
	create(t, hookCh)
	create(t, &v1alpha1.InventorySync{
		ObjectMeta: metav1.ObjectMeta{Name: "to-hook", Namespace: ns},
		Spec: v1alpha1.InventorySyncSpec{
			SalesChannelRef:    v1alpha1.LocalObjectReference{Name: "hook"},
			FulfillmentChannel: v1alpha1.FulfillmentChannel{Name: "warehouse", LocationID: hookLocation, Feed: &v1alpha1.FeedSource{URL: f.url}},
			Schedule:           ptr.To("0 0 1 1 *"),
		},
	})

	relay, relayURL := startRelayReplicas(t, ns, "relay-token", 3, "--lease-ttl=3s", "--response-timeout=5s")
	spread := relay.Transport.(*http.Transport).Clone()
	spread.DisableKeepAlives = true
	relay = &http.Client{Timeout: 20 * time.Second, Transport: spread}

	// The killer deletes a ready relay pod every few seconds, without a grace period.
	stop := make(chan struct{})
	var kills atomic.Int64
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		tick := time.NewTicker(chaosKillEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			var pods corev1.PodList
			if err := k8s.List(context.Background(), &pods, client.InNamespace(ns), client.MatchingLabels{"app.kubernetes.io/name": "inventory-relay"}); err != nil || len(pods.Items) == 0 {
				continue
			}
			victim := pods.Items[int(kills.Load())%len(pods.Items)]
			if k8s.Delete(context.Background(), &victim, client.GracePeriodSeconds(0)) == nil {
				kills.Add(1)
			}
		}
	}()

	want := map[string]int64{}
	var wantMu sync.Mutex
	var sends, retries atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(8 * time.Minute)
	for sender := range chaosSenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range chaosEventsPerSender {
				sku := skus[(sender+n)%chaosSKUs]
				delta := int64(n%5 + 1)
				trigger := "ReceiveReceipt"
				if (sender+n)%2 == 1 {
					delta, trigger = -delta, "AdjustInventoryManually"
				}
				body := fmt.Sprintf(`{"events":[{"id":"s%02d-e%02d","trigger":%q,"sku":%q,"fulfillmentChannel":"warehouse","increment":%d}]}`, sender, n, trigger, sku, delta)
				for attempt := 0; ; attempt++ {
					if time.Now().After(deadline) {
						t.Errorf("s%02d-e%02d: no final answer before the deadline", sender, n)
						return
					}
					sends.Add(1)
					if attempt > 0 {
						retries.Add(1)
					}
					if allPushed(relay, relayURL, body) {
						break
					}
					time.Sleep(200 * time.Millisecond)
				}
				wantMu.Lock()
				want[sku] += delta
				wantMu.Unlock()
				// Every third applied event is sent once more, to whichever replica answers.
				if n%3 == 0 {
					sends.Add(1)
					allPushed(relay, relayURL, body)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-killed
	if t.Failed() {
		return
	}

	wantLevels := map[string][]int64{}
	for _, sku := range skus {
		wantLevels[sku] = []int64{chaosStart + want[sku]}
	}
	s.waitLevels(t, wantLevels)
	for _, sku := range skus {
		var got int64
		for _, it := range rc.Items(hookLocation) {
			if it.SKU == sku {
				got = it.Quantity
			}
		}
		if got != chaosStart+want[sku] {
			t.Errorf("webhook channel: %s shows %d, want %d", sku, got, chaosStart+want[sku])
		}
	}
	t.Logf("chaos: %d events from %d senders, %d requests (%d retries), %d relay pods killed, %d webhook writes received (faults included), every item at its start plus the sum of distinct deltas",
		chaosSenders*chaosEventsPerSender, chaosSenders, sends.Load(), retries.Load(), kills.Load(), hookWrites.Load())
}

// allPushed sends body and says whether every channel answered its event Pushed.
func allPushed(relay *http.Client, relayURL, body string) bool {
	req, err := http.NewRequest(http.MethodPost, relayURL+"/v1/events", bytes.NewBufferString(body))
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer relay-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := relay.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var answer relayAnswer
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&answer) != nil || len(answer.Results) != 1 {
		return false
	}
	pushed := 0
	for _, c := range answer.Results[0].Channels {
		if c.Status != "Pushed" {
			return false
		}
		pushed++
	}
	return pushed == 2
}
