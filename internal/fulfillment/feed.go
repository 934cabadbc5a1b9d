package fulfillment

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/egress"
)

// Defaults of a Feed's timeouts.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 10 * time.Minute
)

// Feed is a fulfillment channel's level feed, fetched with HTTP GET.
type Feed struct {
	// URL is fetched with GET. Its userinfo and query never appear in errors.
	URL    string
	Format v1alpha1.FeedFormat
	// BearerToken, when set, is sent as "Authorization: Bearer <token>". It never appears
	// in errors.
	BearerToken string
	// ConnectTimeout bounds connecting (TCP and TLS) when Client is nil;
	// 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// Timeout bounds the whole read, from connecting to the last byte; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxBytes caps the decompressed feed; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Client sends the request; nil means a client built from the timeouts above. Either way
	// a redirect to another origin is followed without the bearer token.
	Client *http.Client
}

// StatusError is a feed server's answer other than 2xx.
type StatusError struct {
	StatusCode int
	// URL is the feed's URL without userinfo or query values.
	URL string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("fetching feed %s: HTTP %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
}

// errTimedOut is the cancellation cause of a read that outlived Feed.Timeout.
var errTimedOut = errors.New("feed timeout")

// Read fetches and parses the feed. Any failure (connection, status, timeout, size cap,
// malformed content) returns an error and no levels; a malformed feed's error is a *FeedError.
// No error shows the URL's userinfo or query values, or the bearer token.
func (f Feed) Read(ctx context.Context) (*Levels, error) {
	levels, err := f.read(ctx)
	if err != nil {
		return nil, egress.Error(err, f.BearerToken)
	}
	return levels, nil
}

func (f Feed) read(ctx context.Context) (*Levels, error) {
	var levels *Levels
	read := time.Now()
	err := f.fetch(ctx, func(h http.Header, body io.Reader) error {
		var err error
		// A snapshot the document states comes before the server's Last-Modified.
		if levels, err = ParseLimit(body, f.Format, f.MaxBytes); err == nil && levels.Snapshot().IsZero() {
			levels = levels.WithSnapshot(snapshotOf(h, read))
		}
		return err
	})
	return levels, err
}

// Fetch gets the feed's document with the feed's bounds (timeouts, redirects without the
// token, gzip) and hands its body to consume, for documents other than levels read like a
// feed (a catalog mapping). consume's own errors are returned wrapped, naming the URL; no
// error shows the URL's userinfo or query values, or the bearer token. consume enforces a
// size cap of its own.
func (f Feed) Fetch(ctx context.Context, consume func(body io.Reader) error) error {
	return egress.Error(f.fetch(ctx, func(_ http.Header, body io.Reader) error { return consume(body) }), f.BearerToken)
}

// ConsumeError is an error consume returned: the document was fetched and refused, which
// reading it again would not change.
type ConsumeError struct {
	URL string
	Err error
}

func (e *ConsumeError) Error() string { return fmt.Sprintf("reading feed %s: %v", e.URL, e.Err) }
func (e *ConsumeError) Unwrap() error { return e.Err }

func (f Feed) fetch(ctx context.Context, consume func(http.Header, io.Reader) error) error {
	where := egress.URL(f.URL)
	timeout := positiveOr(f.Timeout, DefaultTimeout)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errTimedOut)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return fmt.Errorf("feed URL %s is invalid", where)
	}
	req.Header.Set("Accept", acceptFor(f.Format))
	if f.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+f.BearerToken)
	}
	client := f.Client
	if client == nil {
		client = newClient(positiveOr(f.ConnectTimeout, DefaultConnectTimeout))
	}
	client = egress.Client(client)

	resp, err := client.Do(req)
	if err != nil {
		return f.transportError(ctx, where, timeout, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{StatusCode: resp.StatusCode, URL: where}
	}

	body := resp.Body
	// The transport decodes gzip itself when it asked for it; a server that compresses
	// unasked is decoded here. Parse also recognises a gzip file served as is.
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && !resp.Uncompressed {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return f.transportError(ctx, where, timeout, fmt.Errorf("decompressing: %w", err))
		}
		defer zr.Close()
		body = zr
	}
	// A read that fails under consume (a broken connection, a timeout) is the transport's
	// failure; a document consume refuses is reported as its own.
	counted := &readErrors{r: body}
	if err := consume(resp.Header, counted); err != nil {
		var feedErr *FeedError
		switch {
		case errors.As(err, &feedErr) || errors.Is(err, ErrTooLarge):
			return fmt.Errorf("reading feed %s: %w", where, err)
		case counted.err != nil:
			return f.transportError(ctx, where, timeout, err)
		default:
			return &ConsumeError{URL: where, Err: err}
		}
	}
	return nil
}

// readErrors remembers the first error reading its reader gave other than EOF.
type readErrors struct {
	r   io.Reader
	err error
}

func (r *readErrors) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// transportError explains a failed exchange without the URL's secrets: it drops the
// *url.Error wrapper, whose text repeats the full URL.
func (f Feed) transportError(ctx context.Context, where string, timeout time.Duration, err error) error {
	if errors.Is(context.Cause(ctx), errTimedOut) {
		return fmt.Errorf("reading feed %s: no complete response within %s", where, timeout)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("reading feed %s: %w", where, ctx.Err())
	}
	err = egress.WithoutURL(err)
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" && opErr.Timeout() {
		return fmt.Errorf("connecting to feed %s: no connection within the connect timeout", where)
	}
	return fmt.Errorf("reading feed %s: %w", where, err)
}

func newClient(connectTimeout time.Duration) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext
	transport.TLSHandshakeTimeout = connectTimeout
	return &http.Client{Transport: transport}
}

func acceptFor(format v1alpha1.FeedFormat) string {
	switch format {
	case v1alpha1.FeedFormatCSV:
		return "text/csv, */*;q=0.1"
	case v1alpha1.FeedFormatJSON:
		return "application/json, */*;q=0.1"
	case v1alpha1.FeedFormatNDJSON:
		return "application/x-ndjson, application/jsonl, */*;q=0.1"
	default:
		return "*/*"
	}
}

func positiveOr(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}
