// Package retry holds what the connectors share about sending a request again: waiting
// without outliving the caller's context, exponential backoff with jitter, and reading a
// server's Retry-After header.
package retry

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxAfter bounds how long a Retry-After header can make a connector wait, so that a
// server's mistake cannot stall a sync for hours.
const MaxAfter = 5 * time.Minute

// Sleep waits for d or until ctx ends, whichever comes first; it returns ctx.Err() when ctx
// ended.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is the wait before retry n (from 1): first doubled n-1 times, capped at limit,
// then jittered into its upper half so that many callers do not retry in step.
func Backoff(n int, first, limit time.Duration) time.Duration {
	d := ceiling(n, first, limit)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// ceiling is Backoff before the jitter.
func ceiling(n int, first, limit time.Duration) time.Duration {
	d := max(first, 0)
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// After reads a Retry-After header value (RFC 9110, section 10.2.3): delay-seconds or an
// HTTP date, the latter measured from now. Decimal seconds, which some servers send, are
// read too. The delay is bounded by MaxAfter; ok is false when the value is absent or
// unreadable.
func After(value string, now time.Time) (d time.Duration, ok bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if seconds, err := strconv.ParseFloat(value, 64); err == nil && isDecimal(value) {
		if seconds < 0 {
			return 0, false
		}
		if seconds >= MaxAfter.Seconds() {
			return MaxAfter, true
		}
		return time.Duration(seconds * float64(time.Second)), true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return min(max(at.Sub(now), 0), MaxAfter), true
}

// isDecimal keeps ParseFloat to plain decimal numbers: no exponents, infinities or NaN.
func isDecimal(s string) bool {
	return strings.Trim(strings.TrimPrefix(s, "-"), "0123456789.") == ""
}
