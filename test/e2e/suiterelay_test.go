//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/internal/devdeploy"
)

// relayNamespace holds the relay the manager knows (--relay-url): sync pods of
// InventorySyncs with spec.reservations read reservations from it. Tests that need it put
// their channels and syncs there, as a user does with the relay of their namespace.
const relayNamespace = "relay"

// The suite's relay: its bearer token and the CA of its certificate.
var (
	suiteRelayToken string
	suiteRelayCA    []byte
	suiteRelay      struct {
		once sync.Once
		err  error
	}
)

// prepareSuiteRelay makes the relay's namespace, its Service and its Secrets, and says how
// the manager reaches it. The cluster has no DNS, so sync pods reach the relay at its
// Service's ClusterIP, which its certificate names. The relay itself is installed by the
// first test that needs it (suiteRelayClient).
func prepareSuiteRelay(ctx context.Context, root string) (devdeploy.ManagerRelay, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: relayNamespace, Labels: restricted}}
	if err := k8s.Create(ctx, ns); err != nil {
		return devdeploy.ManagerRelay{}, err
	}
	ip, err := devdeploy.ApplyRelayService(ctx, k8s, root, relayNamespace)
	if err != nil {
		return devdeploy.ManagerRelay{}, err
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return devdeploy.ManagerRelay{}, err
	}
	suiteRelayToken = hex.EncodeToString(b)
	secrets, caPEM, err := devdeploy.RelaySecrets(relayNamespace, suiteRelayToken, net.ParseIP(ip))
	if err != nil {
		return devdeploy.ManagerRelay{}, err
	}
	for _, s := range secrets {
		if err := k8s.Create(ctx, s); err != nil {
			return devdeploy.ManagerRelay{}, err
		}
	}
	suiteRelayCA = caPEM
	return devdeploy.ManagerRelay{URL: "https://" + ip, CA: caPEM}, nil
}

// suiteRelayClient installs the suite's relay once and returns a client that reaches it
// with its URL; requests carry suiteRelayToken.
func suiteRelayClient(t *testing.T) (*http.Client, string) {
	t.Helper()
	suiteRelay.once.Do(func() {
		suiteRelay.err = devdeploy.InstallRelay(context.Background(), k8s, repoRoot(), operatorImage, relayNamespace)
	})
	if suiteRelay.err != nil {
		t.Fatalf("install the suite's relay: %v%s", suiteRelay.err, podLogsOf(relayNamespace))
	}
	return relayClient(t, relayNamespace, suiteRelayCA)
}
