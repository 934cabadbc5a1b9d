package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"

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
