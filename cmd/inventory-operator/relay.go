package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/metrics"
	"github.com/techoms/inventory-operator/internal/relay"
	"github.com/techoms/inventory-operator/internal/relay/kubedirectory"
)

// envRelayTokens holds the relay's bearer tokens when no token file is mounted.
const envRelayTokens = "RELAY_TOKENS"

// relayOptions are the relay role's flags.
type relayOptions struct {
	listenAddr       string
	namespace        string
	selector         string
	tokensFile       string
	tlsCertFile      string
	tlsKeyFile       string
	maxRequestBytes  int64
	maxEvents        int
	maxInFlight      int
	maxInFlightBytes int64
	queueSize        int
	callsPerStore    int
	ledger           ledgerOptions
	laneIdleTimeout  time.Duration
	itemCacheTTL     time.Duration
	responseTimeout  time.Duration
	shutdownTimeout  time.Duration
	metricsAddr      string
	metricsSecure    bool
	zap              zap.Options
}

func (o *relayOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.listenAddr, "listen-address", ":8443", "address the HTTP API binds to")
	fs.StringVar(&o.namespace, "namespace", os.Getenv("POD_NAMESPACE"), "namespace whose SalesChannels and InventorySyncs are in scope (default $POD_NAMESPACE)")
	fs.StringVar(&o.selector, "channel-selector", "", "label selector narrowing the SalesChannels in scope")
	fs.StringVar(&o.tokensFile, "tokens-file", "", "file of accepted bearer tokens, one per line, re-read when it changes (default: $"+envRelayTokens+")")
	fs.StringVar(&o.tlsCertFile, "tls-cert-file", "", "serve TLS with this certificate (with --tls-key-file)")
	fs.StringVar(&o.tlsKeyFile, "tls-key-file", "", "private key of --tls-cert-file")
	fs.Int64Var(&o.maxRequestBytes, "max-request-bytes", relay.DefaultMaxRequestBytes, "largest request body accepted")
	fs.IntVar(&o.maxEvents, "max-events", relay.DefaultMaxEvents, "most events in one request")
	fs.IntVar(&o.maxInFlight, "max-in-flight", relay.DefaultMaxInFlight, "most requests handled at once; more get 503")
	fs.Int64Var(&o.maxInFlightBytes, "max-in-flight-bytes", relay.DefaultMaxInFlightBytes, "most request body bytes handled at once; more get 503")
	fs.IntVar(&o.queueSize, "queue-size", relay.DefaultQueueSize, "events one channel location may have waiting; more get 429")
	fs.IntVar(&o.callsPerStore, "calls-per-store", relay.DefaultCallsPerStore, "calls a Shopify store's writer may have out at once, no two on one item at one location")
	o.ledger.bind(fs)
	fs.DurationVar(&o.laneIdleTimeout, "lane-idle-timeout", relay.DefaultLaneIdleTimeout, "how long a channel location without events keeps its connector and item cache")
	fs.DurationVar(&o.itemCacheTTL, "item-cache-ttl", relay.DefaultItemCacheTTL, "how long a SKU's channel items are reused")
	fs.DurationVar(&o.responseTimeout, "response-timeout", relay.DefaultResponseTimeout, "longest wait for the channels before answering")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", time.Minute, "longest wait for in-flight requests and queued writes at shutdown")
	bindMetricsFlags(fs, &o.metricsAddr, &o.metricsSecure, ":8444")
	o.zap.BindFlags(fs)
}

func runRelay(args []string) int {
	var o relayOptions
	fs := flag.NewFlagSet("relay", flag.ContinueOnError)
	o.bind(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&o.zap)))
	tokens, err := relayTokens(o.tokensFile)
	if err == nil {
		err = o.validate()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		return 2
	}
	if err := serveRelay(ctrl.SetupSignalHandler(), o, tokens); err != nil {
		ctrl.Log.Error(err, "relay stopped")
		return 1
	}
	return 0
}

func (o *relayOptions) validate() error {
	if o.namespace == "" {
		return errors.New("--namespace (or POD_NAMESPACE) is required")
	}
	if (o.tlsCertFile == "") != (o.tlsKeyFile == "") {
		return errors.New("--tls-cert-file and --tls-key-file go together")
	}
	if _, err := labels.Parse(o.selector); err != nil {
		return fmt.Errorf("--channel-selector: %w", err)
	}
	if o.callsPerStore < 1 || o.callsPerStore > relay.MaxCallsPerStore {
		return fmt.Errorf("--calls-per-store must be between 1 and %d, not %d", relay.MaxCallsPerStore, o.callsPerStore)
	}
	if err := o.ledger.validate(); err != nil {
		return err
	}
	_, err := metricsOptions(o.metricsAddr, o.metricsSecure)
	return err
}

// serveRelayMetrics serves the relay's metrics, with controller-runtime's and client-go's,
// as the manager serves its own; cfg is the relay's identity, which asks the API server who
// a scraper is and whether it may GET /metrics. It returns once the server is started or
// failed to; the server stops when ctx ends. Nothing is served when the address is "0".
func serveRelayMetrics(ctx context.Context, o relayOptions, cfg *rest.Config) error {
	opts, err := metricsOptions(o.metricsAddr, o.metricsSecure)
	if err != nil {
		return err
	}
	if err := metrics.RegisterRelay(ctrlmetrics.Registry); err != nil {
		return err
	}
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return err
	}
	srv, err := metricsserver.NewServer(opts, cfg, httpClient)
	if err != nil || srv == nil {
		return err
	}
	go func() {
		if err := srv.Start(ctx); err != nil {
			ctrl.Log.WithName("relay").Error(err, "metrics server stopped")
		}
	}()
	return nil
}

// relayTokens reads the accepted tokens from the file, or else from the environment.
func relayTokens(path string) (func() (*relay.TokenSet, error), error) {
	if path != "" {
		f, err := relay.NewTokenFile(path)
		if err != nil {
			return nil, err
		}
		return f.Tokens, nil
	}
	set, err := relay.ParseTokens(os.Getenv(envRelayTokens))
	if err != nil {
		return nil, fmt.Errorf("%w: mount a Secret and pass --tokens-file, or set %s", err, envRelayTokens)
	}
	return func() (*relay.TokenSet, error) { return set, nil }, nil
}

// serviceConfig is the relay's configuration for these options.
func (o *relayOptions) serviceConfig(dir relay.Directory, store *ledger.Store, log logr.Logger) relay.Config {
	return relay.Config{
		Directory:       dir,
		Ledger:          store,
		LeaseTTL:        o.ledger.leaseTTL,
		MaxIntentAge:    o.ledger.maxIntentAge,
		QueueSize:       o.queueSize,
		CallsPerStore:   o.callsPerStore,
		LaneIdleTimeout: o.laneIdleTimeout,
		ItemCacheTTL:    o.itemCacheTTL,
		Log:             log,
	}
}

// handlerOptions configure the relay's HTTP API for these options.
func (o *relayOptions) handlerOptions(tokens func() (*relay.TokenSet, error)) relay.HandlerOptions {
	return relay.HandlerOptions{
		Tokens: tokens, MaxRequestBytes: o.maxRequestBytes, MaxEvents: o.maxEvents,
		MaxInFlight: o.maxInFlight, MaxInFlightBytes: o.maxInFlightBytes, ResponseTimeout: o.responseTimeout,
	}
}

func serveRelay(ctx context.Context, o relayOptions, tokens func() (*relay.TokenSet, error)) error {
	log := ctrl.Log.WithName("relay")
	selector, _ := labels.Parse(o.selector)
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return err
	}
	if err := serveRelayMetrics(ctx, o, cfg); err != nil {
		return fmt.Errorf("serving metrics: %w", err)
	}
	// The cache watches only the relay's namespace. It holds every SalesChannel there, the
	// selector's and the others: an order may come from a channel the selector leaves out.
	objects, err := cache.New(cfg, cache.Options{
		Scheme:            newScheme(),
		DefaultNamespaces: map[string]cache.Config{o.namespace: {}},
	})
	if err != nil {
		return fmt.Errorf("creating the cache: %w", err)
	}
	cacheCtx, stopCache := context.WithCancel(context.Background())
	defer stopCache()
	go func() {
		if err := objects.Start(cacheCtx); err != nil {
			log.Error(err, "cache stopped")
		}
	}()
	if !objects.WaitForCacheSync(ctx) {
		return errors.New("the cache did not sync")
	}
	// Secrets are read by name when a channel's connector is built, never cached.
	secrets, err := client.New(cfg, client.Options{Scheme: newScheme()})
	if err != nil {
		return fmt.Errorf("creating the API client: %w", err)
	}

	store, err := o.ledger.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := relay.New(o.serviceConfig(kubedirectory.New(objects, secrets, o.namespace, selector), store, log))
	if err != nil {
		return err
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.tlsCertFile != "" {
		certs, err := newCertReloader(o.tlsCertFile, o.tlsKeyFile)
		if err != nil {
			return err
		}
		tlsConfig.GetCertificate = certs.GetCertificate
	}
	srv := &http.Server{
		Addr:              o.listenAddr,
		Handler:           svc.Handler(o.handlerOptions(tokens)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         tlsConfig,
	}
	served := make(chan error, 1)
	go func() {
		log.Info("serving", "address", o.listenAddr, "namespace", o.namespace, "tls", o.tlsCertFile != "")
		if o.tlsCertFile != "" {
			// The certificate comes from GetCertificate, read again when its files change.
			served <- srv.ListenAndServeTLS("", "")
		} else {
			served <- srv.ListenAndServe()
		}
	}()
	select {
	case err := <-served:
		svc.Close()
		return err
	case <-ctx.Done():
	}
	// Finish in-flight requests, then the writes they queued, before the cache goes away.
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	closed := make(chan struct{})
	go func() { svc.Close(); close(closed) }()
	select {
	case <-closed:
	case <-shutdownCtx.Done():
		err = errors.Join(err, errors.New("queued writes did not finish before --shutdown-timeout"))
	}
	return err
}
