package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// The operations of the protocol, each a POST to the channel's base URL joined with the
// operation. The operation, not the full path, is signed, so a proxy that mounts the receiver
// under a prefix does not break signatures.
const (
	OperationQuery  = "levels/query"
	OperationSet    = "levels/set"
	OperationAdjust = "levels/adjust"
)

// Headers of the protocol.
const (
	HeaderTimestamp      = "X-Inventory-Timestamp"
	HeaderSignature      = "X-Inventory-Signature"
	HeaderIdempotencyKey = "Idempotency-Key"
)

// Limits of the protocol, which a receiver may rely on.
const (
	// MaxBatch is the most items one set or adjust request carries.
	MaxBatch = 500
	// MaxQuerySKUs is the most SKUs one query request names.
	MaxQuerySKUs = 1000
	// MaxQueryLimit is the most items a query asks for in one page.
	MaxQueryLimit = 1000
	// MaxIdempotencyKey is the longest Idempotency-Key, in bytes.
	MaxIdempotencyKey = 200
)

// Statuses of one item of a write.
const (
	StatusApplied = "applied"
	StatusStale   = "stale"
	StatusFailed  = "failed"
)

// QueryRequest is the body of levels/query: the items at LocationID whose SKU is in SKUs
// (every item when SKUs is null), one page at a time.
type QueryRequest struct {
	LocationID string   `json:"locationId"`
	SKUs       []string `json:"skus"`
	// Cursor is the NextCursor of the previous page; empty for the first page.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the most items to return; the receiver may return fewer.
	Limit int `json:"limit"`
}

// QueryResponse is the answer to levels/query.
type QueryResponse struct {
	Items []Item `json:"items"`
	// NextCursor continues the query; empty on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
}

// Item is one item as the channel shows it. Several items may share a SKU.
type Item struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// SetRequest is the body of levels/set: set each item's quantity.
type SetRequest struct {
	LocationID string    `json:"locationId"`
	Items      []SetItem `json:"items"`
}

// SetItem sets one item to Quantity, if it still shows CompareQuantity when that is present.
type SetItem struct {
	ID              string `json:"id"`
	SKU             string `json:"sku"`
	Quantity        int64  `json:"quantity"`
	CompareQuantity *int64 `json:"compareQuantity,omitempty"`
}

// AdjustRequest is the body of levels/adjust: add to each item's quantity.
type AdjustRequest struct {
	LocationID string       `json:"locationId"`
	Items      []AdjustItem `json:"items"`
}

// AdjustItem adds Delta (negative to remove) to one item, if it still shows CompareQuantity
// when that is present.
type AdjustItem struct {
	ID              string `json:"id"`
	SKU             string `json:"sku"`
	Delta           int64  `json:"delta"`
	CompareQuantity *int64 `json:"compareQuantity,omitempty"`
}

// WriteResponse answers levels/set and levels/adjust: one result per item, in order.
type WriteResponse struct {
	Results []ItemResult `json:"results"`
}

// ItemResult is what became of one item of a write.
type ItemResult struct {
	// Status is StatusApplied, StatusStale or StatusFailed.
	Status string `json:"status"`
	// Reason says why a failed item was refused.
	Reason string `json:"reason,omitempty"`
	// Quantity is what the item shows after the request, when the receiver knows it.
	Quantity *int64 `json:"quantity,omitempty"`
}

// ErrorResponse is the body of an answer other than 200: the reason the sender shows with the
// status. The sender shows nothing else of such an answer, so that a URL pointing at another
// server cannot bring its error pages into a status.
type ErrorResponse struct {
	Reason string `json:"reason"`
}

// Sign computes the X-Inventory-Signature value of a request: "sha256=" and the hex HMAC-SHA256,
// keyed with the channel's secret, of the timestamp, the operation, the idempotency key (empty
// for a query) and the body, joined by newlines.
func Sign(secret []byte, timestamp int64, operation, idempotencyKey string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(operation))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(idempotencyKey))
	mac.Write([]byte{'\n'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is the valid X-Inventory-Signature of a request, comparing
// in constant time.
func Verify(secret []byte, signature string, timestamp int64, operation, idempotencyKey string, body []byte) bool {
	if !strings.HasPrefix(signature, "sha256=") {
		return false
	}
	want := Sign(secret, timestamp, operation, idempotencyKey, body)
	return hmac.Equal([]byte(signature), []byte(want))
}
