package inventoryctl

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const relayToken = "s3cret-token"

// fakeRelay is the relay's HTTP API as docs/relay.md describes it, answering what the test
// says and recording what it received.
type fakeRelay struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   []string
	status   int
	answer   string
	outcomes map[string]string
	header   http.Header
}

func newFakeRelay(t *testing.T) *fakeRelay {
	f := &fakeRelay{status: http.StatusOK, outcomes: map[string]string{}, header: http.Header{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/events", func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r) {
			return
		}
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies = append(f.bodies, string(body))
		status, answer := f.status, f.answer
		for k, v := range f.header {
			w.Header()[k] = v
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	})
	mux.HandleFunc("GET /v1/events/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r) {
			return
		}
		f.mu.Lock()
		answer, ok := f.outcomes[r.PathValue("id")]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"results":null,"message":"the relay holds no event with this id"}`)
			return
		}
		_, _ = io.WriteString(w, answer)
	})
	f.Server = httptest.NewTLSServer(mux)
	t.Cleanup(f.Close)
	return f
}

// respond sets the answer to the next POSTs; the lock orders it with the handler, which
// runs on the server's goroutines.
func (f *fakeRelay) respond(status int, answer string, header http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.answer = status, answer
	for k, v := range header {
		f.header[k] = v
	}
}

// received is the bodies of the POSTs so far.
func (f *fakeRelay) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

func (f *fakeRelay) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+relayToken {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"results":null,"message":"a valid bearer token is required"}`)
		return false
	}
	return true
}

// caPEM is the relay's certificate as a CA bundle.
func (f *fakeRelay) caPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.Certificate().Raw})
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSendPostsAFileOfEventsAndPrintsEachChannelsResult(t *testing.T) {
	relay := newFakeRelay(t)
	relay.respond(http.StatusBadRequest, `{"results": [
	  {"index": 0, "id": "rcpt-1", "channels": [
	    {"salesChannel": "shopify-eu", "inventorySync": "berlin", "locationID": "gid://shopify/Location/123", "status": "Pushed", "push": "Incremental", "quantity": 3},
	    {"salesChannel": "webshop", "status": "NotApplicable", "reason": "ModeDoesNotPush", "message": "mode SynchronizeWithFulfillmentChannel does not push ReceiveReceipt"}]},
	  {"index": 1, "id": "ord-2", "channels": [
	    {"salesChannel": "shopify-eu", "inventorySync": "berlin", "locationID": "gid://shopify/Location/123", "status": "Accepted", "push": "Incremental", "quantity": -1}]}],
	 "errors": [{"index": 2, "id": "bad", "reason": "sku is required, without surrounding spaces"}]}`, nil)
	events := `{"events": [
	  {"id": "rcpt-1", "trigger": "ReceiveReceipt", "sku": "A-100", "fulfillmentChannel": "warehouse-berlin", "increment": 3},
	  {"id": "ord-2", "trigger": "AllocateOrder", "sku": "B-200", "fulfillmentChannel": "warehouse-berlin", "increment": -1, "salesChannel": "webshop"},
	  {"id": "bad", "trigger": "ReceiveReceipt", "sku": " ", "fulfillmentChannel": "warehouse-berlin", "increment": 1}]}`
	r := start("send", "-f", writeFile(t, "events.json", []byte(events)), "--url", relay.URL,
		"--ca-file", writeFile(t, "ca.crt", relay.caPEM()), "--token-file", writeFile(t, "token", []byte(relayToken+"\n")))
	if code := r.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1 (an event was refused); stderr: %s", code, r.err.String())
	}
	var sent relayRequest
	bodies := relay.received()
	if len(bodies) != 1 {
		t.Fatalf("the relay got %d requests, want 1", len(bodies))
	}
	if err := json.Unmarshal([]byte(bodies[0]), &sent); err != nil || len(sent.Events) != 3 {
		t.Fatalf("the relay got %s (%v)", bodies[0], err)
	}
	out := r.out.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("want a header, three results and one refusal:\n%s", out)
	}
	for i, want := range [][]string{
		{"ID", "SALES CHANNEL", "LOCATION", "STATUS", "DETAIL"},
		{"rcpt-1", "shopify-eu", "gid://shopify/Location/123", "Pushed", "Incremental +3"},
		{"rcpt-1", "webshop", "-", "NotApplicable", "ModeDoesNotPush: mode SynchronizeWithFulfillmentChannel does not push ReceiveReceipt"},
		{"ord-2", "shopify-eu", "Accepted", "Incremental -1", "kubectl inventory send --outcome ord-2"},
		{"event 2 (bad) refused: sku is required, without surrounding spaces"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d lacks %q: %s", i, w, lines[i])
			}
		}
	}
}

func TestSendTakesTheRelayFromASecretAndOneEventFromFlags(t *testing.T) {
	relay := newFakeRelay(t)
	relay.respond(http.StatusOK, `{"results": [{"index": 0, "id": "adj-7", "channels": [{"salesChannel": "shopify-eu", "locationID": "gid://shopify/Location/123", "status": "Pushed", "push": "Incremental", "quantity": 0, "replayed": true}]}]}`, nil)
	ns := newNamespace(t)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "relay-client"}, Data: map[string][]byte{
		"url": []byte(relay.URL), "token": []byte(relayToken), "ca.crt": relay.caPEM(),
	}}
	if err := k8s.Create(t.Context(), secret); err != nil {
		t.Fatal(err)
	}
	r := start("send", "-n", ns, "--relay-secret", "relay-client",
		"--id", "adj-7", "--trigger", "AdjustInventoryManually", "--sku", "A-100", "--fulfillment-channel", "warehouse-berlin", "--increment", "0")
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, r.err.String())
	}
	want := `{"events":[{"id":"adj-7","trigger":"AdjustInventoryManually","sku":"A-100","fulfillmentChannel":"warehouse-berlin","increment":0}]}`
	if got := relay.received(); len(got) != 1 || got[0] != want {
		t.Errorf("the relay got %q, want %s", got, want)
	}
	if !strings.Contains(r.out.String(), "Incremental +0: replayed: an earlier request applied it") {
		t.Errorf("output:\n%s", r.out.String())
	}
}

func TestSendOutcomeReadsWhatBecameOfAnAcceptedEvent(t *testing.T) {
	relay := newFakeRelay(t)
	relay.outcomes["ord-2"] = `{"results": [{"index": 0, "id": "ord-2", "channels": [{"salesChannel": "shopify-eu", "status": "Failed", "reason": "ChannelRefused", "message": "item archived"}]}]}`
	r := start("send", "--url", relay.URL, "--ca-file", writeFile(t, "ca.crt", relay.caPEM()), "--token", relayToken, "--outcome", "ord-2", "--outcome", "never-sent")
	if code := r.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1; stderr: %s", code, r.err.String())
	}
	out := r.out.String()
	for _, want := range []string{"ord-2", "Failed", "ChannelRefused: item archived", "(never-sent) refused: the relay holds no event with this id"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSendSaysWhatToDoWhenTheRelayRefusesTheRequest(t *testing.T) {
	relay := newFakeRelay(t)
	ca := writeFile(t, "ca.crt", relay.caPEM())
	event := []string{"--id", "x", "--trigger", "ReceiveReceipt", "--sku", "A", "--fulfillment-channel", "w", "--increment", "1"}
	for _, c := range []struct {
		name  string
		setup func()
		args  []string
		want  string
	}{
		{"wrong token", func() {}, []string{"--token", "wrong"}, "the relay refused the bearer token (401)"},
		{"shutting down", func() {
			relay.respond(http.StatusServiceUnavailable, `{"results":null,"message":"the relay is shutting down"}`, http.Header{"Retry-After": {"5"}})
		}, []string{"--token", relayToken}, "nothing was taken; send again after 5s"},
		{"no URL", func() {}, []string{"--url", "", "--token", relayToken}, "the relay's URL is missing: give --url"},
		{"no token", func() {}, []string{"--token", ""}, "the relay needs a bearer token"},
		{"wrong CA", func() {}, []string{"--token", relayToken, "--ca-file", writeFile(t, "other.crt", otherCA(t))}, "did not answer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(tokenEnv, "")
			c.setup()
			args := append([]string{"send", "--url", relay.URL, "--ca-file", ca}, event...)
			r := start(append(args, c.args...)...)
			if code := r.wait(t); code != 1 {
				t.Fatalf("exit code %d, want 1", code)
			}
			if !strings.Contains(r.err.String(), c.want) {
				t.Errorf("stderr lacks %q: %s", c.want, r.err.String())
			}
		})
	}
}

// otherCA is a CA that signed nothing the relay serves (httptest's servers all share one
// certificate, so another test server would not do).
func otherCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "another CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
