// Package webhooktest is a webhook channel receiver that keeps levels in memory. It checks
// what docs/webhook-channel.md asks of a sender (signatures, timestamps, idempotency keys,
// limits), so tests and demos exercise the connector against the protocol itself.
package webhooktest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
)

// Tolerance is how far a request's timestamp may be from the receiver's clock.
const Tolerance = 5 * time.Minute

// Stats counts what a Receiver has seen.
type Stats struct {
	// Requests counts every request, rejected ones included.
	Requests int
	// Queries counts the query requests answered.
	Queries int
	// Writes counts the write requests applied.
	Writes int
	// Replays counts the write requests answered from the idempotency store, not applied.
	Replays int
	// Rejected counts the requests refused with a 4xx status.
	Rejected int
}

// Injected is a canned answer to the next request, before the receiver looks at it.
type Injected struct {
	Status int
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
}

// Receiver is an http.Handler for the webhook protocol, mounted at the channel's base URL
// (wrap it in http.StripPrefix to mount it under a path).
type Receiver struct {
	secret []byte
	// Now is the clock timestamps are checked against; nil means time.Now.
	Now func() time.Time

	mu sync.Mutex
	// items holds each location's items by id.
	items map[string]map[string]*channel.Item
	// done holds each idempotency key's request digest and stored answer.
	done       map[string]stored
	injected   []Injected
	loseAnswer int
	refused    map[string]string
	stats      Stats
}

type stored struct {
	digest [sha256.Size]byte
	answer []byte
}

// NewReceiver returns an empty receiver that accepts requests signed with secret.
func NewReceiver(secret []byte) *Receiver {
	return &Receiver{
		secret:  secret,
		items:   map[string]map[string]*channel.Item{},
		done:    map[string]stored{},
		refused: map[string]string{},
	}
}

// Put adds or replaces items at a location.
func (rc *Receiver) Put(locationID string, items ...channel.Item) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	at := rc.items[locationID]
	if at == nil {
		at = map[string]*channel.Item{}
		rc.items[locationID] = at
	}
	for _, item := range items {
		at[item.ID] = &item
	}
}

// Items returns a location's items ordered by id.
func (rc *Receiver) Items(locationID string) []channel.Item {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var items []channel.Item
	for _, item := range rc.items[locationID] {
		items = append(items, *item)
	}
	slices.SortFunc(items, func(a, b channel.Item) int { return strings.Compare(a.ID, b.ID) })
	return items
}

// Item returns one item.
func (rc *Receiver) Item(locationID, id string) (channel.Item, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	item, ok := rc.items[locationID][id]
	if !ok {
		return channel.Item{}, false
	}
	return *item, true
}

// Inject queues canned answers for the next requests, one each.
func (rc *Receiver) Inject(answers ...Injected) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.injected = append(rc.injected, answers...)
}

// LoseAnswers makes the next n writes apply and store their answer, then reply 502 as a
// failing proxy would, so the sender retries a write the receiver already applied.
func (rc *Receiver) LoseAnswers(n int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.loseAnswer += n
}

// Refuse makes writes to items with this SKU fail with reason.
func (rc *Receiver) Refuse(sku, reason string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.refused[sku] = reason
}

// Stats returns the counts so far.
func (rc *Receiver) Stats() Stats {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.stats
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.stats.Requests++

	if len(rc.injected) > 0 {
		inj := rc.injected[0]
		rc.injected = rc.injected[1:]
		if inj.RetryAfter != "" {
			w.Header().Set("Retry-After", inj.RetryAfter)
		}
		http.Error(w, "injected failure", inj.Status)
		return
	}

	operation := strings.TrimPrefix(r.URL.Path, "/")
	if r.Method != http.MethodPost {
		rc.reject(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		rc.reject(w, http.StatusBadRequest, "reading body: "+err.Error())
		return
	}
	key := r.Header.Get(webhook.HeaderIdempotencyKey)
	if status, msg := rc.authenticate(r, operation, key, body); status != 0 {
		rc.reject(w, status, msg)
		return
	}

	switch operation {
	case webhook.OperationQuery:
		rc.serveQuery(w, body)
	case webhook.OperationSet, webhook.OperationAdjust:
		rc.serveWrite(w, operation, key, body)
	default:
		rc.reject(w, http.StatusNotFound, "unknown operation "+operation)
	}
}

// authenticate checks the timestamp and signature; it returns a status and message when
// they fail.
func (rc *Receiver) authenticate(r *http.Request, operation, key string, body []byte) (int, string) {
	timestamp, err := strconv.ParseInt(r.Header.Get(webhook.HeaderTimestamp), 10, 64)
	if err != nil {
		return http.StatusUnauthorized, "missing or malformed " + webhook.HeaderTimestamp
	}
	now := time.Now
	if rc.Now != nil {
		now = rc.Now
	}
	if skew := now().Sub(time.Unix(timestamp, 0)); skew > Tolerance || skew < -Tolerance {
		return http.StatusUnauthorized, "timestamp outside the tolerance"
	}
	if !webhook.Verify(rc.secret, r.Header.Get(webhook.HeaderSignature), timestamp, operation, key, body) {
		return http.StatusUnauthorized, "signature does not match"
	}
	return 0, ""
}

func (rc *Receiver) serveQuery(w http.ResponseWriter, body []byte) {
	var req webhook.QueryRequest
	if err := strictDecode(body, &req); err != nil {
		rc.reject(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(req.SKUs) > webhook.MaxQuerySKUs || req.Limit < 1 || req.Limit > webhook.MaxQueryLimit {
		rc.reject(w, http.StatusBadRequest, "too many skus or a limit out of range")
		return
	}
	var wanted map[string]bool
	if req.SKUs != nil {
		wanted = make(map[string]bool, len(req.SKUs))
		for _, sku := range req.SKUs {
			wanted[sku] = true
		}
	}
	var matches []webhook.Item
	for _, item := range rc.items[req.LocationID] {
		if item.ID > req.Cursor && (wanted == nil || wanted[item.SKU]) {
			matches = append(matches, webhook.Item{ID: item.ID, SKU: item.SKU, Quantity: item.Quantity})
		}
	}
	slices.SortFunc(matches, func(a, b webhook.Item) int { return strings.Compare(a.ID, b.ID) })
	resp := webhook.QueryResponse{Items: matches}
	if len(matches) > req.Limit {
		resp.Items = matches[:req.Limit]
		resp.NextCursor = resp.Items[req.Limit-1].ID
	}
	if resp.Items == nil {
		resp.Items = []webhook.Item{}
	}
	rc.stats.Queries++
	writeJSON(w, resp)
}

func (rc *Receiver) serveWrite(w http.ResponseWriter, operation, key string, body []byte) {
	if key == "" {
		rc.reject(w, http.StatusBadRequest, "missing "+webhook.HeaderIdempotencyKey)
		return
	}
	digest := sha256.Sum256(append([]byte(operation+"\n"), body...))
	if prior, ok := rc.done[key]; ok {
		if prior.digest != digest {
			rc.reject(w, http.StatusUnprocessableEntity, "idempotency key reused for a different request")
			return
		}
		rc.stats.Replays++
		w.Header().Set("Content-Type", "application/json")
		w.Write(prior.answer)
		return
	}

	var results []webhook.ItemResult
	var locationID string
	switch operation {
	case webhook.OperationSet:
		var req webhook.SetRequest
		if err := strictDecode(body, &req); err != nil {
			rc.reject(w, http.StatusBadRequest, err.Error())
			return
		}
		if len(req.Items) == 0 || len(req.Items) > webhook.MaxBatch {
			rc.reject(w, http.StatusBadRequest, "a batch has 1 to 500 items")
			return
		}
		locationID = req.LocationID
		for _, it := range req.Items {
			results = append(results, rc.apply(locationID, it.ID, it.SKU, it.CompareQuantity, func(int64) int64 { return it.Quantity }))
		}
	case webhook.OperationAdjust:
		var req webhook.AdjustRequest
		if err := strictDecode(body, &req); err != nil {
			rc.reject(w, http.StatusBadRequest, err.Error())
			return
		}
		if len(req.Items) == 0 || len(req.Items) > webhook.MaxBatch {
			rc.reject(w, http.StatusBadRequest, "a batch has 1 to 500 items")
			return
		}
		locationID = req.LocationID
		for _, it := range req.Items {
			results = append(results, rc.apply(locationID, it.ID, it.SKU, it.CompareQuantity, func(q int64) int64 { return q + it.Delta }))
		}
	}
	answer, err := json.Marshal(webhook.WriteResponse{Results: results})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	rc.done[key] = stored{digest: digest, answer: answer}
	rc.stats.Writes++
	if rc.loseAnswer > 0 {
		rc.loseAnswer--
		http.Error(w, "answer lost on the way", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(answer)
}

// apply writes one item: next computes its new quantity from the current one.
func (rc *Receiver) apply(locationID, id, sku string, compare *int64, next func(int64) int64) webhook.ItemResult {
	item, ok := rc.items[locationID][id]
	switch {
	case !ok:
		return webhook.ItemResult{Status: webhook.StatusFailed, Reason: fmt.Sprintf("no item %q at location %q", id, locationID)}
	case sku != "" && item.SKU != sku:
		return webhook.ItemResult{Status: webhook.StatusFailed, Reason: fmt.Sprintf("item %q has SKU %q, not %q", id, item.SKU, sku)}
	case rc.refused[item.SKU] != "":
		return webhook.ItemResult{Status: webhook.StatusFailed, Reason: rc.refused[item.SKU]}
	case compare != nil && *compare != item.Quantity:
		return webhook.ItemResult{Status: webhook.StatusStale, Quantity: ptr(item.Quantity)}
	}
	quantity := next(item.Quantity)
	if quantity < 0 {
		return webhook.ItemResult{Status: webhook.StatusFailed, Reason: fmt.Sprintf("quantity would become %d", quantity)}
	}
	item.Quantity = quantity
	return webhook.ItemResult{Status: webhook.StatusApplied, Quantity: ptr(quantity)}
}

// reject answers status with the protocol's error document, whose reason the sender shows.
func (rc *Receiver) reject(w http.ResponseWriter, status int, msg string) {
	rc.stats.Rejected++
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(webhook.ErrorResponse{Reason: msg}) // the receiver has nothing to tell a client gone away
}

// strictDecode decodes one JSON document, refusing unknown fields so that a sender's typo
// shows up in tests.
func strictDecode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed request: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // the receiver has nothing to tell a client gone away
}

func ptr(v int64) *int64 { return &v }
