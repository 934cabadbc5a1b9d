// Package webhook is the connector of channels without a native one: it speaks a small signed
// JSON protocol over HTTP POST, described in docs/webhook-channel.md, that a channel team
// implements on the receiving side.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/egress"
)

// DefaultMaxAttempts is how many times a request is sent at most when Config sets no number.
const DefaultMaxAttempts = 5

// defaultRequestTimeout bounds one attempt when the caller supplies no client.
const defaultRequestTimeout = time.Minute

// Config configures a Connector.
type Config struct {
	// URL is the receiver's base URL; operations are POSTed to URL + "/levels/...".
	URL string
	// Secret keys the HMAC-SHA256 signature of every request.
	Secret []byte
	// LocationID is sent with every request; empty means the channel's only location.
	LocationID string
	// HTTPClient sends the requests; nil means a client with a one-minute timeout. Its
	// CheckRedirect is replaced by one that sends no signature to another origin.
	HTTPClient *http.Client
	// MaxAttempts bounds the sends of one request, retries included; 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// Sleep waits between attempts, returning early with ctx's error; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock of timestamps and Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// Connector is a channel.Connector for a webhook receiver.
type Connector struct {
	baseURL     string
	where       string // baseURL without userinfo or query, for messages
	secret      []byte
	locationID  string
	client      *http.Client
	maxAttempts int
	sleep       func(context.Context, time.Duration) error
	now         func() time.Time
}

var _ channel.Connector = (*Connector)(nil)

// New checks cfg and returns a connector.
func New(cfg Config) (*Connector, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("webhook URL must be an absolute http or https URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("webhook URL must not have a query or fragment")
	}
	if len(cfg.Secret) == 0 {
		return nil, errors.New("webhook secret is empty")
	}
	if cfg.MaxAttempts < 0 {
		return nil, fmt.Errorf("webhook MaxAttempts must not be negative, got %d", cfg.MaxAttempts)
	}
	c := &Connector{
		baseURL:     strings.TrimSuffix(cfg.URL, "/"),
		where:       egress.URL(cfg.URL),
		secret:      cfg.Secret,
		locationID:  cfg.LocationID,
		client:      cfg.HTTPClient,
		maxAttempts: cfg.MaxAttempts,
		sleep:       cfg.Sleep,
		now:         cfg.Now,
	}
	if c.client == nil {
		c.client = &http.Client{Timeout: defaultRequestTimeout}
	}
	c.client = egress.Client(c.client, HeaderSignature)
	if c.maxAttempts == 0 {
		c.maxAttempts = DefaultMaxAttempts
	}
	if c.sleep == nil {
		c.sleep = retry.Sleep
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// MaxBatch is the most changes one Write takes: one request's worth.
func (c *Connector) MaxBatch() int { return MaxBatch }

// Items queries the receiver MaxQuerySKUs SKUs at a time (all items, page by page, when skus
// is nil) and calls fn for each item it shows. No error shows the secret or the URL's
// userinfo.
func (c *Connector) Items(ctx context.Context, skus []string, fn func(channel.Item) error) error {
	return channel.Redact(c.items(ctx, skus, fn), string(c.secret))
}

func (c *Connector) items(ctx context.Context, skus []string, fn func(channel.Item) error) error {
	if skus == nil {
		return c.query(ctx, nil, fn)
	}
	for start := 0; start < len(skus); start += MaxQuerySKUs {
		if err := c.query(ctx, skus[start:min(start+MaxQuerySKUs, len(skus))], fn); err != nil {
			return err
		}
	}
	return nil
}

// query reads every page of one query. A query for named SKUs ends with an error when a SKU
// shows on more than channel.MaxItemsPerSKU items or the pages go beyond what that allows;
// a query for every item (skus nil) is a whole catalog, bounded by the caller.
func (c *Connector) query(ctx context.Context, skus []string, fn func(channel.Item) error) error {
	req := QueryRequest{LocationID: c.locationID, SKUs: skus, Limit: MaxQueryLimit}
	perSKU := make(map[string]int, len(skus))
	maxPages := 2*((len(skus)*channel.MaxItemsPerSKU+MaxQueryLimit-1)/MaxQueryLimit) + 1
	for pages := 1; ; pages++ {
		body, err := json.Marshal(req)
		if err != nil {
			return err
		}
		answer, err := c.call(ctx, OperationQuery, "", body)
		if err != nil {
			return err
		}
		var page QueryResponse
		if err := json.Unmarshal(answer, &page); err != nil {
			return fmt.Errorf("webhook %s at %s: answer is not a query response: %w", OperationQuery, c.where, err)
		}
		for _, item := range page.Items {
			if item.ID == "" {
				return fmt.Errorf("webhook %s at %s: answer has an item without id (SKU %q)", OperationQuery, c.where, item.SKU)
			}
			if skus != nil {
				if perSKU[item.SKU]++; perSKU[item.SKU] > channel.MaxItemsPerSKU {
					return fmt.Errorf("webhook %s at %s: SKU %q is on more than %d items", OperationQuery, c.where, item.SKU, channel.MaxItemsPerSKU)
				}
			}
			if err := fn(channel.Item{ID: item.ID, SKU: item.SKU, Quantity: item.Quantity}); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		if page.NextCursor == req.Cursor {
			return fmt.Errorf("webhook %s at %s: answer repeats cursor %q", OperationQuery, c.where, page.NextCursor)
		}
		if skus != nil && pages >= maxPages {
			return fmt.Errorf("webhook %s at %s: the query for %d SKUs goes on beyond %d pages", OperationQuery, c.where, len(skus), maxPages)
		}
		req.Cursor = page.NextCursor
	}
}

// Write sends changes in one levels/set (Absolute) or levels/adjust (Incremental) request
// whose Idempotency-Key is key, and maps the receiver's per-item results. A status the
// protocol does not retry (400, 401, 404, 422, any other 4xx but 409 and 429) means the
// receiver applied nothing: Write returns a *channel.RefusedError. Any other failure leaves
// the outcome unknown. No error shows the secret or the URL's userinfo.
func (c *Connector) Write(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change) ([]channel.ChangeResult, error) {
	results, err := c.write(ctx, strategy, key, changes)
	if err != nil {
		return nil, channel.Redact(err, string(c.secret))
	}
	return results, nil
}

func (c *Connector) write(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change) ([]channel.ChangeResult, error) {
	if len(changes) > MaxBatch {
		return nil, fmt.Errorf("webhook write of %d changes exceeds the batch limit of %d", len(changes), MaxBatch)
	}
	if key == "" || len(key) > MaxIdempotencyKey {
		return nil, fmt.Errorf("webhook write needs an idempotency key of 1 to %d bytes", MaxIdempotencyKey)
	}
	if len(changes) == 0 {
		return nil, nil
	}
	operation, payload, err := c.writeRequest(strategy, changes)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	answer, err := c.call(ctx, operation, key, body)
	if err != nil {
		if refusedCall(err) {
			return nil, &channel.RefusedError{Reason: err.Error(), Err: err}
		}
		return nil, err
	}
	var resp WriteResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		return nil, fmt.Errorf("webhook %s at %s: answer is not a write response: %w", operation, c.where, err)
	}
	if len(resp.Results) != len(changes) {
		return nil, fmt.Errorf("webhook %s at %s: answer has %d results for %d items", operation, c.where, len(resp.Results), len(changes))
	}
	results := make([]channel.ChangeResult, len(changes))
	for i, r := range resp.Results {
		results[i] = changeResult(r)
	}
	return results, nil
}

func (c *Connector) writeRequest(strategy v1alpha1.Strategy, changes []channel.Change) (string, any, error) {
	switch strategy {
	case v1alpha1.StrategyAbsolute:
		req := SetRequest{LocationID: c.locationID, Items: make([]SetItem, len(changes))}
		for i, ch := range changes {
			req.Items[i] = SetItem{ID: ch.ItemID, SKU: ch.SKU, Quantity: ch.Quantity, CompareQuantity: ch.CompareQuantity}
		}
		return OperationSet, req, nil
	case v1alpha1.StrategyIncremental:
		req := AdjustRequest{LocationID: c.locationID, Items: make([]AdjustItem, len(changes))}
		for i, ch := range changes {
			req.Items[i] = AdjustItem{ID: ch.ItemID, SKU: ch.SKU, Delta: ch.Quantity, CompareQuantity: ch.CompareQuantity}
		}
		return OperationAdjust, req, nil
	default:
		return "", nil, fmt.Errorf("webhook write: unknown strategy %q", strategy)
	}
}

// changeResult maps one item result of the protocol to the connector's terms.
func changeResult(r ItemResult) channel.ChangeResult {
	switch r.Status {
	case StatusApplied:
		return channel.ChangeResult{Outcome: channel.Applied}
	case StatusStale:
		reason := r.Reason
		if reason == "" && r.Quantity != nil {
			reason = fmt.Sprintf("channel shows %d", *r.Quantity)
		}
		return channel.ChangeResult{Outcome: channel.Stale, Reason: reason}
	case StatusFailed:
		reason := r.Reason
		if reason == "" {
			reason = "refused by the channel, no reason given"
		}
		return channel.ChangeResult{Outcome: channel.Failed, Reason: reason}
	default:
		return channel.ChangeResult{Outcome: channel.Failed, Reason: fmt.Sprintf("unknown status %q from the channel", egress.Cut(r.Status, snippetBytes))}
	}
}
