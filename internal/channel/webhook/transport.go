package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/egress"
)

// Retry pacing.
const (
	firstBackoff = 500 * time.Millisecond
	maxBackoff   = 30 * time.Second
	// maxResponseBytes bounds a response body; a page of MaxQueryLimit items is far smaller.
	maxResponseBytes = 16 << 20
)

// HTTPError is a receiver's answer other than 200 that ended the call: one not worth retrying,
// or the last of the attempts. Its message holds the status and the protocol's reason, never
// the raw body: the URL may point at any server, whose error pages must not reach a status.
type HTTPError struct {
	Operation  string
	StatusCode int
	// Reason is the reason of the protocol's error document ({"reason": "..."}), redacted
	// and cut; empty when the answer is not one.
	Reason string
	// Body is the start of the response body, redacted as a whole before it was cut, for
	// the log only (channel.Answer).
	Body string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("webhook %s: HTTP %d %s", e.Operation, e.StatusCode, http.StatusText(e.StatusCode))
	if e.StatusCode >= 300 && e.StatusCode < 400 {
		msg += " (a call is never redirected)"
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Answer is the start of the raw answer, for the log.
func (e *HTTPError) Answer() string { return e.Body }

// errorReason reads the protocol's error document from a complete answer: its reason,
// redacted and cut, or "".
func errorReason(body []byte, complete bool, secrets ...string) string {
	var doc ErrorResponse
	if !complete || json.Unmarshal(body, &doc) != nil {
		return ""
	}
	return egress.Snippet([]byte(doc.Reason), true, snippetBytes, secrets...)
}

// refusedCall reports whether err is the receiver's definite refusal of a whole request: a
// 4xx status the protocol does not retry, which the receiver answers without changing
// anything.
func refusedCall(err error) bool {
	var httpErr *HTTPError
	return errors.As(err, &httpErr) && httpErr.StatusCode >= 400 && httpErr.StatusCode < 500 && !retryable(httpErr.StatusCode)
}

// retryable reports whether the protocol allows sending the same request again: the receiver
// is overloaded (429), failed (5xx), or still processing the same idempotency key (409).
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusConflict || status >= 500
}

// call POSTs body to operation and returns the body of the 200 answer. It retries
// retryable statuses and transport failures up to the connector's attempts, signing each
// attempt afresh so that a late retry still carries a current timestamp.
func (c *Connector) call(ctx context.Context, operation, key string, body []byte) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		answer, retryAfter, err := c.attempt(ctx, operation, key, body)
		if err == nil {
			return answer, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("webhook %s at %s: %w", operation, c.where, ctxErr)
		}
		var httpErr *HTTPError
		if errors.As(err, &httpErr) && !retryable(httpErr.StatusCode) {
			return nil, err
		}
		if attempt >= c.maxAttempts {
			return nil, fmt.Errorf("giving up after %d attempts: %w", attempt, err)
		}
		delay := retryAfter
		if delay < 0 {
			delay = retry.Backoff(attempt, firstBackoff, maxBackoff)
		}
		if err := c.sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("webhook %s at %s: %w", operation, c.where, err)
		}
	}
}

// attempt sends one request. It returns the delay a Retry-After header asked for, or -1.
func (c *Connector) attempt(ctx context.Context, operation, key string, body []byte) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/"+operation, bytes.NewReader(body))
	if err != nil {
		return nil, -1, fmt.Errorf("webhook %s at %s: %w", operation, c.where, err)
	}
	timestamp := c.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "inventory-operator")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(timestamp, 10))
	req.Header.Set(HeaderSignature, Sign(c.secret, timestamp, operation, key, body))
	if key != "" {
		req.Header.Set(HeaderIdempotencyKey, key)
	}

	resp, err := c.client.Do(req)
	if err != nil {
		return nil, -1, fmt.Errorf("webhook %s at %s: %w", operation, c.where, egress.WithoutURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		answer, complete := egress.ReadAnswer(resp.Body)
		return nil, c.retryAfter(resp.Header.Get("Retry-After")), &HTTPError{
			Operation:  operation,
			StatusCode: resp.StatusCode,
			Reason:     errorReason(answer, complete, string(c.secret)),
			Body:       egress.Snippet(answer, complete, snippetBytes, string(c.secret)),
		}
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, -1, fmt.Errorf("webhook %s at %s: reading the answer: %w", operation, c.where, err)
	}
	if len(answer) > maxResponseBytes {
		return nil, -1, fmt.Errorf("webhook %s at %s: answer exceeds %d MiB", operation, c.where, maxResponseBytes>>20)
	}
	return answer, -1, nil
}

// snippetBytes is how much of an error answer an HTTPError keeps.
const snippetBytes = 200

// retryAfter reads a Retry-After header, bounded by retry.MaxAfter; -1 when absent or
// unreadable.
func (c *Connector) retryAfter(value string) time.Duration {
	if d, ok := retry.After(value, c.now()); ok {
		return d
	}
	return -1
}
