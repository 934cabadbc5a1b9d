package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/internal/relay"
)

func TestRelayOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		args []string
		ok   bool
	}{
		{"namespace given", []string{"--namespace=retail"}, true},
		{"no namespace", nil, false},
		{"cert without key", []string{"--namespace=retail", "--tls-cert-file=/tls/tls.crt"}, false},
		{"cert and key", []string{"--namespace=retail", "--tls-cert-file=/tls/tls.crt", "--tls-key-file=/tls/tls.key"}, true},
		{"bad selector", []string{"--namespace=retail", "--channel-selector=a in (b"}, false},
		{"plain HTTP metrics on every interface", []string{"--namespace=retail", "--metrics-secure=false"}, false},
		{"plain HTTP metrics on loopback", []string{"--namespace=retail", "--metrics-secure=false", "--metrics-bind-address=127.0.0.1:8444"}, true},
		{"metrics disabled", []string{"--namespace=retail", "--metrics-secure=false", "--metrics-bind-address=0"}, true},
	}
	for _, tt := range tests {
		t.Setenv("POD_NAMESPACE", "")
		var o relayOptions
		fs := flag.NewFlagSet("relay", flag.ContinueOnError)
		o.bind(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		if err := o.validate(); (err == nil) != tt.ok {
			t.Errorf("%s: validate() = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestRelayTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte("# OMS\nalpha\nbeta\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokens, err := relayTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	set, err := tokens()
	if err != nil || !set.Allows("beta") || set.Allows("gamma") {
		t.Errorf("tokens from file: %v", err)
	}
	t.Setenv(envRelayTokens, "")
	if _, err := relayTokens(""); err == nil {
		t.Error("no file and no environment: want an error")
	}
	t.Setenv(envRelayTokens, "one,two")
	if tokens, err = relayTokens(""); err != nil {
		t.Fatal(err)
	}
	if set, _ := tokens(); !set.Allows("two") {
		t.Error("token from the environment refused")
	}
}

// TestRelayMemoryFlags checks that the memory bounds reach the relay: the ledger's bytes and
// idle lanes in its configuration, the bytes in flight in its HTTP API's, with the relay's
// defaults when not given.
func TestRelayMemoryFlags(t *testing.T) {
	parse := func(args ...string) relayOptions {
		var o relayOptions
		fs := flag.NewFlagSet("relay", flag.ContinueOnError)
		o.bind(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return o
	}
	o := parse("--ledger-bytes=1048576", "--max-in-flight-bytes=65536", "--lane-idle-timeout=90s")
	cfg := o.serviceConfig(relay.NewStaticDirectory(relay.Scope{}), logr.Discard())
	if cfg.LedgerBytes != 1<<20 || cfg.LaneIdleTimeout != 90*time.Second {
		t.Errorf("config has LedgerBytes %d and LaneIdleTimeout %s, want 1048576 and 1m30s", cfg.LedgerBytes, cfg.LaneIdleTimeout)
	}
	if h := o.handlerOptions(nil); h.MaxInFlightBytes != 64<<10 {
		t.Errorf("MaxInFlightBytes = %d, want 65536", h.MaxInFlightBytes)
	}
	d := parse()
	cfg = d.serviceConfig(nil, logr.Discard())
	if cfg.LedgerBytes != relay.DefaultLedgerBytes || cfg.LaneIdleTimeout != relay.DefaultLaneIdleTimeout {
		t.Errorf("defaults: LedgerBytes %d, LaneIdleTimeout %s", cfg.LedgerBytes, cfg.LaneIdleTimeout)
	}
	if h := d.handlerOptions(nil); h.MaxInFlightBytes != relay.DefaultMaxInFlightBytes {
		t.Errorf("default MaxInFlightBytes = %d", h.MaxInFlightBytes)
	}
}

// TestRelayMetricsRequireAuthorization serves the relay's metrics as the relay's
// ServiceAccount with the ClusterRole and binding of config/relay, and scrapes them without
// a token, with the token of an identity without access, and with one bound to the
// metrics-reader ClusterRole.
func TestRelayMetricsRequireAuthorization(t *testing.T) {
	cfg, admin := startControlPlane(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cs := kubernetes.NewForConfigOrDie(cfg)

	var sa corev1.ServiceAccount
	var authRole rbacv1.ClusterRole
	var binding rbacv1.ClusterRoleBinding
	readManifest(t, &sa, "relay", "service_account.yaml")
	readManifest(t, &authRole, "relay", "metrics_auth_role.yaml")
	readManifest(t, &binding, "relay", "metrics_auth_role_binding.yaml")
	// Kustomize sets the subject's namespace to the installation's.
	binding.Subjects[0].Namespace = "default"
	sa.Namespace = "default"
	for _, obj := range []client.Object{&sa, &authRole, &binding} {
		if err := admin.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	scraper, stranger := metricsClients(t, ctx, cs, admin)

	addr := freeLoopbackAddress(t)
	o := relayOptions{metricsAddr: addr, metricsSecure: true}
	if err := serveRelayMetrics(ctx, o, actingAs(cfg, "default", sa.Name)); err != nil {
		t.Fatal(err)
	}
	checkScrapeAccess(t, ctx, addr, scraper, stranger)
}
