//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/devcluster"
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
	relayURL := startRelay(t, ns, "relay-token")

	body := `{"events":[{"id":"rcpt-1","trigger":"ReceiveReceipt","sku":"SKU-1","fulfillmentChannel":"warehouse","increment":3}]}`
	var answer struct {
		Results []struct {
			Channels []struct {
				SalesChannel string `json:"salesChannel"`
				Status       string `json:"status"`
				Reason       string `json:"reason"`
			} `json:"channels"`
		} `json:"results"`
	}
	req, _ := http.NewRequest(http.MethodPost, relayURL+"/v1/events", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer relay-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("relay answered %s (%v): %+v", resp.Status, err, answer)
	}
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

// startRelay runs the binary's relay role for namespace ns on a loopback port and waits
// until it is ready.
func startRelay(t *testing.T, ns, token string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	logPath := filepath.Join(filepath.Dir(managerLog), "relay-"+ns+".log")
	p, err := devcluster.StartProcess("relay", []string{operatorBinary, "relay",
		"--listen-address=" + addr, "--namespace=" + ns,
	}, []string{"KUBECONFIG=" + kubeconfig, "RELAY_TOKENS=" + token}, logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Stop(10 * time.Second)
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			t.Logf("relay log (end):\n%s", tailOf(out, 4000))
		}
	})
	url := "http://" + addr
	eventually(t, runTimeout, "the relay ready", func() (bool, string) {
		if err, exited := p.Exited(); exited {
			t.Fatalf("relay exited: %v", err)
		}
		resp, err := http.Get(url + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return url
}
