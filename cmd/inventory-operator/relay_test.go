package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
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
