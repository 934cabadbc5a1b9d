// Package syncpod is the contract between the manager and a sync pod: the arguments and
// environment variables the manager puts in a Job's pod spec, and the sync role reads.
// Secrets travel only as secretKeyRef environment variables, never as arguments.
package syncpod

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// Environment variables of a sync pod.
const (
	// EnvChannelCredentials holds the SalesChannel's credential: the Shopify Admin API access
	// token, or a Webhook channel's HMAC signing secret (secretKeyRef).
	EnvChannelCredentials = "CHANNEL_CREDENTIALS"
	// EnvFeedToken holds the first fulfillment feed's bearer token, when it has one
	// (secretKeyRef); FeedTokenEnv names the others'.
	EnvFeedToken = "FEED_BEARER_TOKEN"
	// EnvRunID holds the Job's UID (downward API), which idempotency keys derive from, so a
	// retried pod of the same Job never applies a write twice.
	EnvRunID = "SYNC_RUN_ID"
	// EnvMappingToken holds the bearer token of a catalog mapping read from a URL, when it
	// has one (secretKeyRef).
	EnvMappingToken = "MAPPING_BEARER_TOKEN"
	// EnvReservationsToken holds the bearer token the sync pod reads the relay's
	// reservations with (secretKeyRef).
	EnvReservationsToken = "RESERVATIONS_BEARER_TOKEN"
	// EnvRelayCA holds the PEM certificates that verify the relay's TLS certificate: public,
	// a literal value from the manager's configuration.
	EnvRelayCA = "RELAY_CA"
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

// A catalog mapping reaches the pod as its ConfigMap's key, mounted read-only by the kubelet
// at MappingPath: a ConfigMap holds up to 1 MiB, more than one argument may carry (the kernel
// caps one at 128 KiB), and the pod still needs no token to read it.
const (
	MappingVolume    = "mapping"
	MappingMountPath = "/etc/inventory-operator/mapping"
	MappingFileName  = "mapping.csv"
	MappingPath      = MappingMountPath + "/" + MappingFileName
)

// DefaultResultPath is where the sync role writes its SyncResult: the container's
// termination message.
const DefaultResultPath = "/dev/termination-log"

// FeedTokenEnv is the environment variable holding the bearer token of the i-th feed.
func FeedTokenEnv(i int) string {
	if i == 0 {
		return EnvFeedToken
	}
	return EnvFeedToken + "_" + strconv.Itoa(i)
}

// Feed is one fulfillment feed of a run.
type Feed struct {
	// Name says which feed an error is about.
	Name   string
	URL    string
	Format v1alpha1.FeedFormat
}

// Config is everything one sync run needs besides its secrets.
type Config struct {
	Platform   v1alpha1.Platform
	ChannelURL string
	// Plan is the Shopify plan, which sets the rate limit.
	Plan       v1alpha1.Plan
	LocationID string
	// Feeds are read and summed per SKU; the i-th one's token is in FeedTokenEnv(i).
	Feeds         []Feed
	Strategy      v1alpha1.Strategy
	DuplicateSKUs v1alpha1.DuplicateSKUPolicy
	// QuantityName is the Shopify quantity read and written; empty for other platforms.
	QuantityName v1alpha1.QuantityName
	// StockUnstockedItems lets the run stock items not stocked at the location.
	StockUnstockedItems bool
	Trigger             v1alpha1.Trigger
	// Allocation are the rules applied to the summed levels before they are compared and
	// written; nil writes the levels as they are.
	Allocation *v1alpha1.AllocationRules
	// PlanOnly makes the run a plan: it writes nothing and reports the changes it would make.
	PlanOnly bool
	// MappingFile is the catalog mapping's CSV, when the sync has one; MappingUnmapped is its
	// policy for warehouse SKUs no row names (Self or Skip).
	MappingFile     string
	MappingUnmapped v1alpha1.UnmappedSKUs
	// MappingURL is a catalog mapping read like a feed, in MappingFormat, instead of a file;
	// its token, if any, is in EnvMappingToken.
	MappingURL    string
	MappingFormat v1alpha1.FeedFormat
	// ReservationsURL is the relay's base URL when the sync subtracts reservations; they are
	// those of FulfillmentChannel, as they count for SalesChannel. Its token is in
	// EnvReservationsToken.
	ReservationsURL    string
	FulfillmentChannel string
	SalesChannel       string
	// InventorySync names the run's InventorySync as namespace/name, the reader the relay
	// keeps reservations for until its feeds count them.
	InventorySync string
	// WrittenSnapshot is the newest feed snapshot an earlier run of the sync wrote; zero when
	// none is known. A run of older feeds writes nothing.
	WrittenSnapshot time.Time
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
	}
	// A feed is its three flags, in this order, so they line up when parsed back.
	for _, f := range c.Feeds {
		args = append(args, "--feed-name="+f.Name, "--feed-url="+f.URL, "--feed-format="+string(f.Format))
	}
	args = append(args,
		"--strategy="+string(c.Strategy),
		"--duplicate-skus="+string(c.DuplicateSKUs),
		"--trigger="+string(c.Trigger),
		"--run-id="+c.RunID,
	)
	if c.Plan != "" {
		args = append(args, "--shopify-plan="+string(c.Plan))
	}
	if a := c.Allocation; a != nil {
		for _, rule := range []struct {
			name  string
			value *int64
		}{{"threshold", a.Threshold}, {"buffer", a.Buffer}, {"percentage", a.Percentage}, {"maximum", a.Maximum}} {
			if rule.value != nil {
				args = append(args, "--"+rule.name+"="+strconv.FormatInt(*rule.value, 10))
			}
		}
	}
	if c.PlanOnly {
		args = append(args, "--plan-only")
	}
	if c.MappingFile != "" {
		args = append(args, "--mapping-file="+c.MappingFile)
	}
	if c.MappingURL != "" {
		args = append(args, "--mapping-url="+c.MappingURL, "--mapping-format="+string(c.MappingFormat))
	}
	if (c.MappingFile != "" || c.MappingURL != "") && c.MappingUnmapped != "" {
		args = append(args, "--mapping-unmapped="+string(c.MappingUnmapped))
	}
	if c.QuantityName != "" {
		args = append(args, "--quantity-name="+string(c.QuantityName))
	}
	if c.StockUnstockedItems {
		args = append(args, "--stock-unstocked-items")
	}
	if !c.WrittenSnapshot.IsZero() {
		args = append(args, "--written-snapshot="+c.WrittenSnapshot.UTC().Format(time.RFC3339))
	}
	if c.ReservationsURL != "" {
		args = append(args, "--reservations-url="+c.ReservationsURL, "--fulfillment-channel="+c.FulfillmentChannel, "--sales-channel="+c.SalesChannel)
		if c.InventorySync != "" {
			args = append(args, "--inventory-sync="+c.InventorySync)
		}
	}
	return args
}

// BindFlags registers c's fields on fs, for the sync role to parse Args back.
func (c *Config) BindFlags(fs *flag.FlagSet) {
	fs.StringVar((*string)(&c.Platform), "platform", "", "sales channel platform: Shopify or Webhook")
	fs.StringVar(&c.ChannelURL, "channel-url", "", "sales channel base URL")
	fs.StringVar((*string)(&c.Plan), "shopify-plan", string(v1alpha1.PlanStandard), "Shopify plan, which sets the rate limit")
	fs.StringVar(&c.LocationID, "location-id", "", "channel location to write quantities at")
	fs.Func("feed-name", "name of the next feed (repeat --feed-name, --feed-url and --feed-format per feed)", func(v string) error {
		c.Feeds = append(c.Feeds, Feed{Name: v, Format: v1alpha1.FeedFormatCSV})
		return nil
	})
	fs.Func("feed-url", "URL of the feed named by the --feed-name before it", func(v string) error {
		return c.lastFeed("feed-url", func(f *Feed) bool { ok := f.URL == ""; f.URL = v; return ok })
	})
	fs.Func("feed-format", "format of that feed: CSV (the default), JSON or NDJSON", func(v string) error {
		return c.lastFeed("feed-format", func(f *Feed) bool { f.Format = v1alpha1.FeedFormat(v); return true })
	})
	for _, rule := range []struct {
		name, usage string
		set         func(a *v1alpha1.AllocationRules, v *int64)
	}{
		{"threshold", "allocation: below this level the channel shows 0", func(a *v1alpha1.AllocationRules, v *int64) { a.Threshold = v }},
		{"buffer", "allocation: units held back from the channel", func(a *v1alpha1.AllocationRules, v *int64) { a.Buffer = v }},
		{"percentage", "allocation: percentage of the rest the channel shows, rounded down", func(a *v1alpha1.AllocationRules, v *int64) { a.Percentage = v }},
		{"maximum", "allocation: the most the channel shows", func(a *v1alpha1.AllocationRules, v *int64) { a.Maximum = v }},
	} {
		fs.Func(rule.name, rule.usage, func(v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("not an integer: %q", v)
			}
			if c.Allocation == nil {
				c.Allocation = &v1alpha1.AllocationRules{}
			}
			rule.set(c.Allocation, &n)
			return nil
		})
	}
	fs.BoolVar(&c.PlanOnly, "plan-only", false, "write nothing: report the changes a run would make")
	fs.StringVar(&c.MappingFile, "mapping-file", "", "catalog mapping (CSV channelSKU,warehouseSKU,quantity) applied to the feed's SKUs")
	fs.StringVar(&c.MappingURL, "mapping-url", "", "catalog mapping read like a feed, instead of --mapping-file")
	fs.StringVar((*string)(&c.MappingFormat), "mapping-format", string(v1alpha1.FeedFormatCSV), "format of --mapping-url: CSV, JSON or NDJSON")
	fs.StringVar((*string)(&c.MappingUnmapped), "mapping-unmapped", string(v1alpha1.UnmappedSelf), "what the mapping does with warehouse SKUs no row names: Self or Skip")
	fs.StringVar((*string)(&c.Strategy), "strategy", string(v1alpha1.StrategyAbsolute), "Absolute or Incremental")
	fs.StringVar((*string)(&c.DuplicateSKUs), "duplicate-skus", string(v1alpha1.DuplicateSKUsSkip), "Skip or UpdateAll")
	fs.StringVar((*string)(&c.QuantityName), "quantity-name", "", "Shopify quantity to read and write: available (default) or on_hand")
	fs.BoolVar(&c.StockUnstockedItems, "stock-unstocked-items", false, "stock items not stocked at the location before writing them")
	fs.StringVar(&c.ReservationsURL, "reservations-url", "", "relay base URL to read the fulfillment channel's reservations from")
	fs.StringVar(&c.FulfillmentChannel, "fulfillment-channel", "", "fulfillment channel whose reservations are read")
	fs.StringVar(&c.SalesChannel, "sales-channel", "", "SalesChannel written, whose own orders its on_hand quantity already counts")
	fs.StringVar(&c.InventorySync, "inventory-sync", "", "the run's InventorySync as namespace/name: the relay keeps the reservations its feeds do not count yet")
	fs.Func("written-snapshot", "newest feed snapshot an earlier run wrote (RFC 3339): older feeds are not written", func(v string) error {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return fmt.Errorf("not an RFC 3339 time: %q", v)
		}
		c.WrittenSnapshot = t
		return nil
	})
	fs.StringVar((*string)(&c.Trigger), "trigger", "", "what caused this run")
	fs.StringVar(&c.RunID, "run-id", "", "run identifier that idempotency keys derive from")
	fs.StringVar(&c.ResultPath, "result-path", DefaultResultPath, "where to write the JSON SyncResult")
}

// lastFeed sets a field of the feed the last --feed-name started; set reports whether the
// field was still unset.
func (c *Config) lastFeed(flagName string, set func(*Feed) bool) error {
	if len(c.Feeds) == 0 {
		return fmt.Errorf("--%s needs a --feed-name before it", flagName)
	}
	if !set(&c.Feeds[len(c.Feeds)-1]) {
		return fmt.Errorf("--%s given twice for feed %q", flagName, c.Feeds[len(c.Feeds)-1].Name)
	}
	return nil
}

// Validate reports the first missing or unknown setting.
func (c Config) Validate() error {
	switch {
	case c.Platform != v1alpha1.PlatformShopify && c.Platform != v1alpha1.PlatformWebhook:
		return fmt.Errorf("--platform must be Shopify or Webhook, got %q", c.Platform)
	case c.ChannelURL == "":
		return fmt.Errorf("--channel-url is required")
	case len(c.Feeds) == 0:
		return fmt.Errorf("--feed-name and --feed-url are required")
	case c.RunID == "":
		return fmt.Errorf("--run-id is required")
	case c.QuantityName != "" && c.QuantityName != v1alpha1.QuantityAvailable && c.QuantityName != v1alpha1.QuantityOnHand:
		return fmt.Errorf("--quantity-name must be available or on_hand, got %q", c.QuantityName)
	case c.ReservationsURL != "" && (c.FulfillmentChannel == "" || c.SalesChannel == ""):
		return fmt.Errorf("--reservations-url needs --fulfillment-channel and --sales-channel")
	case c.MappingFile != "" && c.MappingURL != "":
		return fmt.Errorf("--mapping-file and --mapping-url exclude each other")
	case c.MappingURL != "" && c.MappingFormat != "" && c.MappingFormat != v1alpha1.FeedFormatCSV && c.MappingFormat != v1alpha1.FeedFormatJSON && c.MappingFormat != v1alpha1.FeedFormatNDJSON:
		return fmt.Errorf("--mapping-format must be CSV, JSON or NDJSON, got %q", c.MappingFormat)
	case c.MappingUnmapped != "" && c.MappingUnmapped != v1alpha1.UnmappedSelf && c.MappingUnmapped != v1alpha1.UnmappedSkip:
		return fmt.Errorf("--mapping-unmapped must be Self or Skip, got %q", c.MappingUnmapped)
	}
	if err := v1alpha1.ValidateRunSettings(c.Strategy, c.DuplicateSKUs); err != nil {
		return fmt.Errorf("--strategy and --duplicate-skus: %w", err)
	}
	for i, f := range c.Feeds {
		switch {
		case f.Name == "":
			return fmt.Errorf("feed %d has an empty --feed-name", i+1)
		case f.URL == "":
			return fmt.Errorf("feed %q has no --feed-url", f.Name)
		case f.Format != v1alpha1.FeedFormatCSV && f.Format != v1alpha1.FeedFormatJSON && f.Format != v1alpha1.FeedFormatNDJSON:
			return fmt.Errorf("feed %q: --feed-format must be CSV, JSON or NDJSON, got %q", f.Name, f.Format)
		}
	}
	if a := c.Allocation; a != nil {
		for _, rule := range []struct {
			name     string
			value    *int64
			min, max int64
		}{{"threshold", a.Threshold, 0, channel.MaxQuantity}, {"buffer", a.Buffer, 0, channel.MaxQuantity}, {"percentage", a.Percentage, 0, 100}, {"maximum", a.Maximum, 0, channel.MaxQuantity}} {
			if rule.value != nil && (*rule.value < rule.min || *rule.value > rule.max) {
				return fmt.Errorf("--%s must be from %d to %d, got %d", rule.name, rule.min, rule.max, *rule.value)
			}
		}
	}
	return nil
}
