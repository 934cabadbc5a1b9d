// Package syncpod is the contract between the manager and a sync pod: the arguments and
// environment variables the manager puts in a Job's pod spec, and the sync role reads.
// Secrets travel only as secretKeyRef environment variables, never as arguments.
package syncpod

import (
	"flag"
	"fmt"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// Environment variables of a sync pod.
const (
	// EnvChannelCredentials holds the SalesChannel's credential: the Shopify Admin API access
	// token, or a Webhook channel's HMAC signing secret (secretKeyRef).
	EnvChannelCredentials = "CHANNEL_CREDENTIALS"
	// EnvFeedToken holds the fulfillment feed's bearer token, when it has one (secretKeyRef).
	EnvFeedToken = "FEED_BEARER_TOKEN"
	// EnvRunID holds the Job's UID (downward API), which idempotency keys derive from, so a
	// retried pod of the same Job never applies a write twice.
	EnvRunID = "SYNC_RUN_ID"
)

// Memory of a sync pod. The container's limit is the hard bound; the sync role sets the Go
// runtime's soft limit well below it (unless GOMEMLIMIT sets one), so that the collector runs
// before garbage doubles the heap, and the feed's caps keep a feed at the caps within it.
const (
	// PodMemoryLimit is the sync container's memory limit, in bytes.
	PodMemoryLimit = 512 << 20
	// SoftMemoryLimit is the Go runtime's soft memory limit of the sync role: a run of a
	// million SKUs keeps well under 100 MiB live.
	SoftMemoryLimit = 160 << 20
)

// DefaultResultPath is where the sync role writes its SyncResult: the container's
// termination message.
const DefaultResultPath = "/dev/termination-log"

// Config is everything one sync run needs besides its secrets.
type Config struct {
	Platform      v1alpha1.Platform
	ChannelURL    string
	Plan          v1alpha1.Plan
	LocationID    string
	FeedURL       string
	FeedFormat    v1alpha1.FeedFormat
	Strategy      v1alpha1.Strategy
	DuplicateSKUs v1alpha1.DuplicateSKUPolicy
	// QuantityName is the Shopify quantity read and written; empty for other platforms.
	QuantityName v1alpha1.QuantityName
	// StockUnstockedItems lets the run stock items not stocked at the location.
	StockUnstockedItems bool
	Trigger             v1alpha1.Trigger
	// RunID identifies the run; the pod spec sets it from EnvRunID.
	RunID string
	// ResultPath is where the SyncResult is written.
	ResultPath string
}

// Args renders c as the sync role's command-line arguments, after the role name.
func (c Config) Args() []string {
	args := []string{
		"--platform=" + string(c.Platform),
		"--channel-url=" + c.ChannelURL,
		"--location-id=" + c.LocationID,
		"--feed-url=" + c.FeedURL,
		"--feed-format=" + string(c.FeedFormat),
		"--strategy=" + string(c.Strategy),
		"--duplicate-skus=" + string(c.DuplicateSKUs),
		"--trigger=" + string(c.Trigger),
		"--run-id=" + c.RunID,
	}
	if c.Plan != "" {
		args = append(args, "--plan="+string(c.Plan))
	}
	if c.QuantityName != "" {
		args = append(args, "--quantity-name="+string(c.QuantityName))
	}
	if c.StockUnstockedItems {
		args = append(args, "--stock-unstocked-items")
	}
	return args
}

// BindFlags registers c's fields on fs, for the sync role to parse Args back.
func (c *Config) BindFlags(fs *flag.FlagSet) {
	fs.StringVar((*string)(&c.Platform), "platform", "", "sales channel platform: Shopify or Webhook")
	fs.StringVar(&c.ChannelURL, "channel-url", "", "sales channel base URL")
	fs.StringVar((*string)(&c.Plan), "plan", string(v1alpha1.PlanStandard), "Shopify plan, which sets the rate limit")
	fs.StringVar(&c.LocationID, "location-id", "", "channel location to write quantities at")
	fs.StringVar(&c.FeedURL, "feed-url", "", "fulfillment channel feed URL")
	fs.StringVar((*string)(&c.FeedFormat), "feed-format", string(v1alpha1.FeedFormatCSV), "feed format: CSV, JSON or NDJSON")
	fs.StringVar((*string)(&c.Strategy), "strategy", string(v1alpha1.StrategyAbsolute), "Absolute or Incremental")
	fs.StringVar((*string)(&c.DuplicateSKUs), "duplicate-skus", string(v1alpha1.DuplicateSKUsSkip), "Skip or UpdateAll")
	fs.StringVar((*string)(&c.QuantityName), "quantity-name", "", "Shopify quantity to read and write: available (default) or on_hand")
	fs.BoolVar(&c.StockUnstockedItems, "stock-unstocked-items", false, "stock items not stocked at the location before writing them")
	fs.StringVar((*string)(&c.Trigger), "trigger", "", "what caused this run")
	fs.StringVar(&c.RunID, "run-id", "", "run identifier that idempotency keys derive from")
	fs.StringVar(&c.ResultPath, "result-path", DefaultResultPath, "where to write the JSON SyncResult")
}

// Validate reports the first missing or unknown setting.
func (c Config) Validate() error {
	switch {
	case c.Platform != v1alpha1.PlatformShopify && c.Platform != v1alpha1.PlatformWebhook:
		return fmt.Errorf("--platform must be Shopify or Webhook, got %q", c.Platform)
	case c.ChannelURL == "":
		return fmt.Errorf("--channel-url is required")
	case c.FeedURL == "":
		return fmt.Errorf("--feed-url is required")
	case c.RunID == "":
		return fmt.Errorf("--run-id is required")
	case c.QuantityName != "" && c.QuantityName != v1alpha1.QuantityAvailable && c.QuantityName != v1alpha1.QuantityOnHand:
		return fmt.Errorf("--quantity-name must be available or on_hand, got %q", c.QuantityName)
	}
	if err := v1alpha1.ValidateRunSettings(c.Strategy, c.DuplicateSKUs); err != nil {
		return fmt.Errorf("--strategy and --duplicate-skus: %w", err)
	}
	switch c.FeedFormat {
	case v1alpha1.FeedFormatCSV, v1alpha1.FeedFormatJSON, v1alpha1.FeedFormatNDJSON:
	default:
		return fmt.Errorf("--feed-format must be CSV, JSON or NDJSON, got %q", c.FeedFormat)
	}
	return nil
}
