package fulfillment

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds of one feed. Together with DefaultMaxBytes they keep parsing a feed within the sync
// pod's memory whatever the feed holds; `make bench-feed` measures a feed at the caps.
const (
	// MaxSKULength is the longest SKU, in characters: Shopify stores a product variant's SKU in
	// at most 255 characters, so a longer one matches no item of any channel.
	MaxSKULength = 255
	// MaxRows bounds a feed's entries (CSV rows, JSON array elements, NDJSON lines), valid or
	// not: twice the million SKUs a sync run is built for.
	MaxRows = 2_000_000
	// MaxRecordBytes bounds one entry's text (a CSV record, a JSON array element, an NDJSON
	// line), and so every field of it; an entry is a few dozen bytes.
	MaxRecordBytes = 64 << 10
)

// limits are the bounds a parser enforces; tests shrink them.
type limits struct {
	rows        int64
	recordBytes int
}

var defaultLimits = limits{rows: MaxRows, recordBytes: MaxRecordBytes}

// checkSKU returns a problem message when sku is not one a channel can hold, "" when it is.
func checkSKU(sku string) string {
	if strings.TrimSpace(sku) == "" {
		return "sku is empty"
	}
	if n := utf8.RuneCountInString(sku); n > MaxSKULength {
		return fmt.Sprintf("sku %s has %d characters, more than %d", quote(sku), n, MaxSKULength)
	}
	return ""
}

// tooManyRows is the problem of the entry beyond limits.rows, after which parsing stops.
func (l limits) tooManyRows() string {
	return fmt.Sprintf("feed has more than %d entries", l.rows)
}

// recordTooLong is the problem of an entry longer than limits.recordBytes.
func (l limits) recordTooLong(what string) string {
	return fmt.Sprintf("%s is longer than %s", what, formatBytes(int64(l.recordBytes)))
}
