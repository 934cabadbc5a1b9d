package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/skumap"
	"github.com/techoms/inventory-operator/internal/syncpod"
	"github.com/techoms/inventory-operator/internal/syncrun"
	"github.com/techoms/inventory-operator/internal/workload"
)

// Batches written at once, by platform. The Shopify connector paces every call against the
// store's rate limit, so a second call in flight only hides latency; a webhook receiver
// gets one batch at a time.
var defaultConcurrency = map[v1alpha1.Platform]int{
	v1alpha1.PlatformShopify: 2,
	v1alpha1.PlatformWebhook: 1,
}

// runSync is the sync role: one synchronization run, configured by syncpod's flags and
// environment. SIGTERM stops it after the batches in flight, still writing the result.
func runSync(args []string) int {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(syncpod.SoftMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return syncRun(ctx, args, os.Getenv, os.Stderr)
}

// syncRun is runSync with its surroundings passed in, for tests.
func syncRun(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	var cfg syncpod.Config
	var concurrency int
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.BindFlags(fs)
	fs.IntVar(&concurrency, "concurrency", 0, "batches written at once (default: by platform)")
	log := slog.New(slog.NewJSONHandler(stderr, nil))

	report := syncrun.Report{Status: syncrun.Permanent}
	if err := fs.Parse(args); err != nil {
		report.Result.Message = "sync: " + err.Error()
	} else if opts, err := syncOptions(cfg, getenv); err != nil {
		report.Result.Message = "sync: " + err.Error()
	} else {
		opts.Concurrency = concurrency
		if opts.Concurrency <= 0 {
			opts.Concurrency = defaultConcurrency[cfg.Platform]
		}
		opts.Logger = log.With("runID", opts.RunID, "trigger", string(cfg.Trigger), "platform", string(cfg.Platform),
			"strategy", string(cfg.Strategy), "duplicateSKUs", string(cfg.DuplicateSKUs))
		report = syncrun.Run(ctx, opts)
	}
	if report.Status == syncrun.Permanent && report.Result.Message != "" {
		log.Error("sync run failed permanently", "message", report.Result.Message)
	}
	if err := os.WriteFile(cfg.ResultPath, syncrun.Encode(report.Result), 0o644); err != nil {
		log.Error("writing the result failed", "path", cfg.ResultPath, "error", err.Error())
	}
	if peak, ok := peakMemoryBytes(); ok {
		// What the run took at most, against the container's memory limit.
		log.Info("sync process peak memory", "peakRSSBytes", peak)
	}
	switch report.Status {
	case syncrun.Succeeded:
		return 0
	case syncrun.Partial:
		return workload.ExitPartial
	default:
		return workload.ExitPermanent
	}
}

// syncOptions builds a run's options from its flags and environment.
func syncOptions(cfg syncpod.Config, getenv func(string) string) (syncrun.Options, error) {
	if cfg.RunID == "" || strings.HasPrefix(cfg.RunID, "$(") {
		// The kubelet leaves $(SYNC_RUN_ID) as is when the variable is missing.
		cfg.RunID = getenv(syncpod.EnvRunID)
	}
	if err := cfg.Validate(); err != nil {
		return syncrun.Options{}, err
	}
	credentials := channel.TrimCredential(getenv(syncpod.EnvChannelCredentials))
	if credentials == "" {
		return syncrun.Options{}, fmt.Errorf("the channel's credentials (%s) are empty", syncpod.EnvChannelCredentials)
	}
	conn, err := connector(cfg, credentials)
	if err != nil {
		return syncrun.Options{}, err
	}
	feeds := make(fulfillment.Sum, len(cfg.Feeds))
	for i, f := range cfg.Feeds {
		feeds[i] = fulfillment.NamedSource{Name: f.Name, Source: fulfillment.Feed{
			URL:         f.URL,
			Format:      f.Format,
			BearerToken: channel.TrimCredential(getenv(syncpod.FeedTokenEnv(i))),
		}}
	}
	var mapping *skumap.Mapping
	var mappingSource syncrun.MappingSource
	switch {
	case cfg.MappingFile != "":
		if mapping, err = readMapping(cfg.MappingFile, cfg.MappingUnmapped); err != nil {
			return syncrun.Options{}, err
		}
	case cfg.MappingURL != "":
		mappingSource = mappingFeed{
			feed:     fulfillment.Feed{URL: cfg.MappingURL, Format: cfg.MappingFormat, BearerToken: channel.TrimCredential(getenv(syncpod.EnvMappingToken))},
			unmapped: skumap.Unmapped(cfg.MappingUnmapped),
		}
	}
	reservations, err := reservationSource(cfg, getenv)
	if err != nil {
		return syncrun.Options{}, err
	}
	return syncrun.Options{
		Reservations:        reservations,
		Levels:              feeds,
		Mapping:             mapping,
		MappingSource:       mappingSource,
		Allocation:          cfg.Allocation.Rules(),
		PlanOnly:            cfg.PlanOnly,
		Connector:           conn,
		Strategy:            cfg.Strategy,
		DuplicateSKUs:       cfg.DuplicateSKUs,
		StockUnstockedItems: cfg.StockUnstockedItems,
		RunID:               cfg.RunID,
		WrittenSnapshot:     cfg.WrittenSnapshot,
	}, nil
}

// connector builds the channel's connector; its errors never carry the credentials.
func connector(cfg syncpod.Config, credentials string) (channel.Connector, error) {
	switch cfg.Platform {
	case v1alpha1.PlatformShopify:
		return shopify.New(shopify.Config{
			BaseURL:      cfg.ChannelURL,
			Token:        credentials,
			LocationID:   cfg.LocationID,
			Plan:         cfg.Plan,
			QuantityName: cfg.QuantityName,
		})
	case v1alpha1.PlatformWebhook:
		return webhook.New(webhook.Config{
			URL:        cfg.ChannelURL,
			Secret:     []byte(credentials),
			LocationID: cfg.LocationID,
		})
	default:
		return nil, errors.New("unknown platform " + string(cfg.Platform))
	}
}

// readMapping reads the catalog mapping the pod mounts. A mapping that fails validation fails
// the run before anything is read or written, naming its rows: running again cannot fix it.
func readMapping(path string, unmapped v1alpha1.UnmappedSKUs) (*skumap.Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("catalog mapping: %w", err)
	}
	defer f.Close()
	m, err := skumap.ParseCSV(f, skumap.Unmapped(unmapped))
	if err != nil {
		return nil, fmt.Errorf("catalog mapping: %w", err)
	}
	return m, nil
}

// mappingFeed is a catalog mapping read from a URL with a feed's bounds, redirects and
// redaction; the run reads it after the feeds.
type mappingFeed struct {
	feed     fulfillment.Feed
	unmapped skumap.Unmapped
}

func (f mappingFeed) Read(ctx context.Context) (*skumap.Mapping, error) {
	var m *skumap.Mapping
	err := f.feed.Fetch(ctx, func(body io.Reader) error {
		var err error
		m, err = skumap.Parse(body, f.feed.Format, f.unmapped)
		return err
	})
	return m, err
}
