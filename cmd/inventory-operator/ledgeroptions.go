package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/relay"
)

// defaultNATSURL is the ledger StatefulSet's Service in the relay's namespace.
const defaultNATSURL = "nats://inventory-ledger:4222"

// ledgerURLFromEnv is the ledger Service's address from the variables the kubelet sets for
// the Services of the pod's namespace, so the default install works without cluster DNS;
// defaultNATSURL otherwise.
func ledgerURLFromEnv(getenv func(string) string) string {
	host, port := getenv("INVENTORY_LEDGER_SERVICE_HOST"), getenv("INVENTORY_LEDGER_SERVICE_PORT")
	if host == "" || port == "" {
		return defaultNATSURL
	}
	return "nats://" + net.JoinHostPort(host, port)
}

// ledgerOptions are the relay's flags for its ledger.
type ledgerOptions struct {
	url             string
	replicas        int
	retention       time.Duration
	maxBucketBytes  int64
	credentialsFile string
	caFile          string
	certFile        string
	keyFile         string
	leaseTTL        time.Duration
	maxIntentAge    time.Duration
}

func (o *ledgerOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.url, "nats-url", ledgerURLFromEnv(os.Getenv), "NATS server or cluster (comma-separated URLs) holding the ledger every relay replica shares (default: the inventory-ledger Service of the namespace)")
	fs.IntVar(&o.replicas, "ledger-replicas", 1, "replicas of each ledger bucket: 1 on the single ledger server, 3 on a NATS cluster")
	fs.DurationVar(&o.retention, "ledger-retention", ledger.DefaultRetention, "how long accepted events, their outcomes and level sequences are kept")
	fs.Int64Var(&o.maxBucketBytes, "ledger-max-bytes", ledger.DefaultMaxBucketBytes, "bytes each ledger bucket may hold; a full ledger refuses new events with 503")
	fs.StringVar(&o.credentialsFile, "nats-credentials-file", "", "NATS credentials file (JWT and seed), e.g. mounted from a Secret")
	fs.StringVar(&o.caFile, "nats-ca-file", "", "CA bundle verifying the NATS servers' TLS certificates")
	fs.StringVar(&o.certFile, "nats-cert-file", "", "client certificate for NATS mutual TLS (with --nats-key-file)")
	fs.StringVar(&o.keyFile, "nats-key-file", "", "private key of --nats-cert-file")
	fs.DurationVar(&o.leaseTTL, "lease-ttl", relay.DefaultLeaseTTL, "how long a replica writes a channel location without renewing its lease; a dead replica's locations are taken over after it")
	fs.DurationVar(&o.maxIntentAge, "max-intent-age", ledger.DefaultMaxIntentAge, "oldest unresolved write sent again as it is; older ones are reported OutcomeUnknown for reconciliation")
}

func (o *ledgerOptions) validate() error {
	if o.url == "" {
		return errors.New("--nats-url is required")
	}
	for _, u := range strings.Split(o.url, ",") {
		if !strings.HasPrefix(u, "nats://") && !strings.HasPrefix(u, "tls://") {
			return fmt.Errorf("--nats-url: %q is not a nats:// or tls:// URL", u)
		}
	}
	if (o.certFile == "") != (o.keyFile == "") {
		return errors.New("--nats-cert-file and --nats-key-file go together")
	}
	if o.replicas != 1 && o.replicas != 3 && o.replicas != 5 {
		return errors.New("--ledger-replicas is 1, 3 or 5")
	}
	if o.leaseTTL < time.Second {
		return errors.New("--lease-ttl is at least 1s")
	}
	return nil
}

// open connects to the ledger, trying again until ctx ends: the ledger's StatefulSet may
// start after the relay.
func (o *ledgerOptions) open(ctx context.Context) (*ledger.Store, error) {
	host, _ := os.Hostname()
	opts := ledger.Options{
		URL: o.url, Replicas: o.replicas, Retention: o.retention, MaxBucketBytes: o.maxBucketBytes,
		CredentialsFile: o.credentialsFile, CAFile: o.caFile, CertFile: o.certFile, KeyFile: o.keyFile,
		Name: "inventory-relay " + host,
	}
	for attempt := 0; ; attempt++ {
		openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		store, err := ledger.Open(openCtx, opts)
		cancel()
		if err == nil {
			return store, nil
		}
		fmt.Fprintln(os.Stderr, "relay: opening the ledger:", err)
		if retry.Sleep(ctx, retry.Backoff(attempt, time.Second, 10*time.Second)) != nil {
			return nil, fmt.Errorf("opening the ledger: %w", err)
		}
	}
}
