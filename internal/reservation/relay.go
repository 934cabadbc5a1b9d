package reservation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/techoms/inventory-operator/internal/egress"
)

// maxListBytes bounds the relay's answer: a million reservations of long SKUs fit.
const maxListBytes = 512 << 20

// RelaySource reads a fulfillment channel's reservations from the relay, as they count for
// one sales channel location.
type RelaySource struct {
	// URL is the relay's base URL, e.g. http://inventory-relay.inventory-system:8080.
	URL string
	// Token is a bearer token the relay accepts. It never appears in errors.
	Token string
	// FulfillmentChannel names the warehouse whose reservations are read.
	FulfillmentChannel string
	// SalesChannel and OnHand scope the count; see Scope.
	SalesChannel string
	OnHand       bool
	// Reader names the reader, the InventorySync as namespace/name: the relay keeps what
	// its snapshots do not count yet. Empty reads without holding anything.
	Reader string
	// Client sends the request; nil means one with a one-minute timeout.
	Client *http.Client
}

// ErrDropped: the relay dropped reservations after the feed's snapshot, every reader of the
// fulfillment channel having read a newer feed; a run of this feed would miss them.
var ErrDropped = errors.New("the reservations after this feed's snapshot were dropped, every reader having read a newer feed: read a newer feed")

// Reserved reads the reservations after snapshot and tallies them.
func (s RelaySource) Reserved(ctx context.Context, snapshot time.Time) (Tally, error) {
	entries, err := s.read(ctx, snapshot)
	if err != nil {
		return Tally{}, egress.Error(err, s.Token)
	}
	return Sum(entries, Scope{Snapshot: snapshot, SalesChannel: s.SalesChannel, OnHand: s.OnHand}), nil
}

func (s RelaySource) read(ctx context.Context, snapshot time.Time) ([]Entry, error) {
	q := url.Values{"fulfillmentChannel": {s.FulfillmentChannel}, "since": {snapshot.UTC().Format(time.RFC3339Nano)}}
	if s.Reader != "" {
		q.Set(ReaderParam, s.Reader)
	}
	target := strings.TrimSuffix(s.URL, "/") + Path + "?" + q.Encode()
	where := egress.URL(target)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("relay URL %s is invalid", egress.URL(s.URL))
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Accept", "application/json")
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the reservations at %s: %w", where, egress.WithoutURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusConflict {
		return nil, fmt.Errorf("reading the reservations at %s: HTTP 409: %w", where, ErrDropped)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading the reservations at %s: HTTP %d %s", where, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	var list List
	body := io.LimitReader(resp.Body, maxListBytes+1)
	if err := json.NewDecoder(body).Decode(&list); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("reading the reservations at %s: the answer ended early or exceeds %d bytes", where, maxListBytes)
		}
		return nil, fmt.Errorf("reading the reservations at %s: %w", where, err)
	}
	return list.Reservations, nil
}
