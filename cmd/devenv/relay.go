package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/techoms/inventory-operator/internal/devcluster"
)

// relayReadyTimeout bounds the wait for the relay's first successful /readyz: it serves only
// once its cache of the demo namespace has synced.
const relayReadyTimeout = time.Minute

// startRelay writes a fresh bearer token under the dev directory and runs the relay role for
// the demo namespace on a loopback address, logging next to the manager.
func (e *env) startRelay(o options) error {
	e.relayTokens = filepath.Join(o.dir, "relay-tokens")
	if err := writeRelayToken(e.relayTokens); err != nil {
		return err
	}
	e.relayURL = "http://" + o.relayAddr
	e.relayLog = filepath.Join(e.cluster.LogDir, "relay.log")
	var err error
	e.relay, err = devcluster.StartProcess("relay", []string{o.operator, "relay",
		"--listen-address=" + o.relayAddr, "--namespace=" + demoNamespace, "--tokens-file=" + e.relayTokens,
		"--shutdown-timeout=5s",
	}, []string{"KUBECONFIG=" + e.cluster.Kubeconfig}, e.relayLog)
	if err != nil {
		return err
	}
	e.stops = append(e.stops, func() { e.relay.Stop(10 * time.Second) })
	return nil
}

// writeRelayToken replaces the tokens file with one random token, readable by the owner only.
func writeRelayToken(path string) error {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(hex.EncodeToString(b)+"\n"), 0o600)
}

// waitRelayReady polls the relay's /readyz until it answers 200, the relay exits or the
// deadline passes.
func (e *env) waitRelayReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, relayReadyTimeout)
	defer cancel()
	probe := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.relayURL+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := probe.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-e.relay.Done():
			return fmt.Errorf("the relay exited; see %s", e.relayLog)
		case <-ctx.Done():
			return fmt.Errorf("the relay at %s was not ready within %s; see %s", e.relayURL, relayReadyTimeout, e.relayLog)
		case <-tick.C:
		}
	}
}
