// Package shopify is the channel.Connector for Shopify's Admin GraphQL API: it reads the
// SKU-to-inventory-item map with one quantity (available or on_hand) at one location, and
// writes that quantity as absolute values or increments, paced by Shopify's cost-based rate
// limit. docs/shopify.md lists the Shopify behaviours it relies on.
package shopify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/egress"
)

// APIVersion is the Admin API version every document of this package is written against.
const APIVersion = "2026-10"

// Config says which store, location and plan a Connector works with.
type Config struct {
	// BaseURL is the store's address, e.g. https://eu-store.myshopify.com.
	BaseURL string
	// Token is the Admin API access token. It is sent only to BaseURL's origin, never
	// across a redirect to another one, and never appears in an error.
	Token string
	// LocationID is the Shopify location, as a GID (gid://shopify/Location/123) or a number.
	LocationID string
	// Plan is the store's plan; it sets the rate limit assumed until Shopify reports it.
	Plan v1alpha1.Plan
	// HTTPClient sends the requests; http.DefaultClient when nil. Its Timeout, if any, also
	// bounds bulk result downloads, so prefer RequestTimeout. Its CheckRedirect is replaced
	// by one that keeps the token on the store's origin.
	HTTPClient *http.Client

	// BulkThreshold is the largest number of SKUs Items reads with paged queries; more, or
	// nil SKUs, are read with a bulk operation, which spends none of the rate limit.
	// Default 2,000.
	BulkThreshold int
	// PageSize is the productVariants page size; default and maximum 249 (see maxPageSize).
	PageSize int
	// Reason is the inventory change reason Shopify records; default "correction".
	Reason string
	// QuantityName is the inventory quantity read and written: available (default) or
	// on_hand.
	QuantityName v1alpha1.QuantityName
	// MaxAttempts bounds the attempts of one request that fails with a network error, a
	// timeout, HTTP 429 or 5xx; default 5.
	MaxAttempts int
	// RequestTimeout bounds one GraphQL request; default 30s.
	RequestTimeout time.Duration
	// RetryBackoff is the first retry's backoff, doubled on each later one; default 250ms.
	RetryBackoff time.Duration
	// BulkPollInterval and BulkPollMax bound the wait between bulk operation status polls,
	// which is otherwise a quarter of the time the operation has run (bulkPollWait); waits
	// before retrying a start refused with LIMIT_REACHED begin at BulkPollInterval and
	// double up to BulkPollMax. Defaults 100ms and 10s.
	BulkPollInterval time.Duration
	BulkPollMax      time.Duration

	// Bucket, when set, is the store's rate-limit bucket shared with other connectors of the
	// same store and app (other locations): Shopify keeps one bucket per store and app, so
	// connectors pacing apart would throttle each other. Its own clock and sleep are used.
	Bucket *Bucket

	// Now and Sleep replace the clock in tests; Sleep must return ctx.Err() when ctx ends
	// first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Stats are a connector's running totals, for benchmarks and sync reports.
type Stats struct {
	// Calls is the number of GraphQL requests sent, retries included.
	Calls int64
	// PointsSpent is the sum of the actualQueryCost Shopify reported.
	PointsSpent int64
	// Throttled is the number of responses that were THROTTLED errors or HTTP 429.
	Throttled int64
}

// Connector reads and writes one Shopify store at one location. It is safe for concurrent
// use; all calls share one rate-limit model.
type Connector struct {
	endpoint   string
	token      string
	locationID string
	http       *http.Client
	cfg        Config
	pacer      *pacer
	costs      costEstimates
	// quantityName is Config.QuantityName as Shopify spells it.
	quantityName string

	calls, points, throttled atomic.Int64
}

var _ channel.Connector = (*Connector)(nil)

// New checks cfg and returns a Connector for it.
func New(cfg Config) (*Connector, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("shopify: base URL %s is not an http(s) URL", egress.URL(cfg.BaseURL))
	}
	if base.User != nil || base.RawQuery != "" || base.ForceQuery || base.Fragment != "" {
		return nil, fmt.Errorf("shopify: base URL %s must not have userinfo, a query or a fragment", egress.URL(cfg.BaseURL))
	}
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("shopify: no access token")
	}
	location, err := locationGID(cfg.LocationID)
	if err != nil {
		return nil, err
	}
	switch cfg.Plan {
	case "", v1alpha1.PlanStandard, v1alpha1.PlanAdvanced, v1alpha1.PlanPlus, v1alpha1.PlanEnterprise:
	default:
		return nil, fmt.Errorf("shopify: unknown plan %q", cfg.Plan)
	}
	switch cfg.QuantityName {
	case "":
		cfg.QuantityName = v1alpha1.QuantityAvailable
	case v1alpha1.QuantityAvailable, v1alpha1.QuantityOnHand:
	default:
		return nil, fmt.Errorf("shopify: unknown quantity name %q: use available or on_hand", cfg.QuantityName)
	}
	applyDefaults(&cfg)
	p := newPacer(planLimits(cfg.Plan), cfg.Now, cfg.Sleep)
	if cfg.Bucket != nil {
		p = cfg.Bucket.pacer
	}
	return &Connector{
		endpoint:   base.String() + "/admin/api/" + APIVersion + "/graphql.json",
		token:      cfg.Token,
		locationID: location,
		http:       egress.Client(cfg.HTTPClient, tokenHeader),
		cfg:        cfg,
		pacer:      p,

		quantityName: string(cfg.QuantityName),
	}, nil
}

func applyDefaults(cfg *Config) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.BulkThreshold <= 0 {
		cfg.BulkThreshold = 2000
	}
	if cfg.PageSize <= 0 || cfg.PageSize > maxPageSize {
		cfg.PageSize = maxPageSize
	}
	if cfg.Reason == "" {
		cfg.Reason = "correction"
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = 250 * time.Millisecond
	}
	if cfg.BulkPollInterval <= 0 {
		cfg.BulkPollInterval = 100 * time.Millisecond
	}
	if cfg.BulkPollMax < cfg.BulkPollInterval {
		cfg.BulkPollMax = max(10*time.Second, cfg.BulkPollInterval)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = retry.Sleep
	}
}

// locationGID accepts a location GID or its numeric id.
func locationGID(id string) (string, error) {
	const prefix = "gid://shopify/Location/"
	id = strings.TrimSpace(id)
	num := strings.TrimPrefix(id, prefix)
	if num == "" || strings.Trim(num, "0123456789") != "" {
		return "", fmt.Errorf("shopify: location %q is neither %sN nor a number", id, prefix)
	}
	return prefix + num, nil
}

// MaxBatch is the most changes Shopify takes in one inventory mutation.
func (c *Connector) MaxBatch() int { return maxChanges }

// Stats returns the running totals.
func (c *Connector) Stats() Stats {
	return Stats{Calls: c.calls.Load(), PointsSpent: c.points.Load(), Throttled: c.throttled.Load()}
}
