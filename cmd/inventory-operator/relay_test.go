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

// TestRelayFlags checks that the ledger's and the memory bounds' flags reach the relay,
// with the relay's defaults when not given.
func TestRelayFlags(t *testing.T) {
	parse := func(args ...string) relayOptions {
		var o relayOptions
		fs := flag.NewFlagSet("relay", flag.ContinueOnError)
		o.bind(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return o
	}
	o := parse("--nats-url=nats://127.0.0.1:4222", "--lease-ttl=5s", "--max-in-flight-bytes=65536", "--lane-idle-timeout=90s")
	cfg := o.serviceConfig(relay.NewStaticDirectory(relay.Scope{}), nil, logr.Discard())
	if cfg.LeaseTTL != 5*time.Second || cfg.LaneIdleTimeout != 90*time.Second || o.ledger.url != "nats://127.0.0.1:4222" {
		t.Errorf("config has LeaseTTL %s, LaneIdleTimeout %s, URL %s", cfg.LeaseTTL, cfg.LaneIdleTimeout, o.ledger.url)
	}
	if h := o.handlerOptions(nil); h.MaxInFlightBytes != 64<<10 {
		t.Errorf("MaxInFlightBytes = %d, want 65536", h.MaxInFlightBytes)
	}
	d := parse()
	cfg = d.serviceConfig(nil, nil, logr.Discard())
	if cfg.LeaseTTL != relay.DefaultLeaseTTL || cfg.LaneIdleTimeout != relay.DefaultLaneIdleTimeout || d.ledger.url != ledgerURLFromEnv(os.Getenv) {
		t.Errorf("defaults: LeaseTTL %s, LaneIdleTimeout %s, URL %s", cfg.LeaseTTL, cfg.LaneIdleTimeout, d.ledger.url)
	}
	if err := d.ledger.validate(); err != nil {
		t.Errorf("default ledger flags: %v", err)
	}
	env := map[string]string{"INVENTORY_LEDGER_SERVICE_HOST": "10.96.0.12", "INVENTORY_LEDGER_SERVICE_PORT": "4222"}
	if got := ledgerURLFromEnv(func(k string) string { return env[k] }); got != "nats://10.96.0.12:4222" {
		t.Errorf("ledger URL from the Service's variables: %s", got)
	}
	if bad := parse("--nats-url=http://example.invalid"); bad.ledger.validate() == nil {
		t.Error("an http URL was taken as the ledger's")
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
