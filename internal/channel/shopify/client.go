package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/egress"
)

// tokenHeader carries the Admin API access token.
const tokenHeader = "X-Shopify-Access-Token"

// maxThrottledRetries bounds how often one request is sent again after THROTTLED; each
// retry first waits for the bucket to refill, so this only stops a server that never
// lets a request through.
const maxThrottledRetries = 50

type graphQLRequest struct {
	Query         string `json:"query"`
	OperationName string `json:"operationName,omitempty"`
	Variables     any    `json:"variables,omitempty"`
}

type graphQLResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []graphQLError  `json:"errors"`
	Extensions struct {
		Cost *queryCost `json:"cost"`
	} `json:"extensions"`
}

type graphQLError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

type queryCost struct {
	RequestedQueryCost float64         `json:"requestedQueryCost"`
	ActualQueryCost    *float64        `json:"actualQueryCost"`
	ThrottleStatus     *throttleStatus `json:"throttleStatus"`
}

// GraphQLError is a response whose errors list is not empty (THROTTLED aside, which is
// retried), or a response that could not be used.
type GraphQLError struct {
	Operation string
	Messages  []string
	// definite is set when Shopify answered with errors none of which is its own failure
	// (INTERNAL_SERVER_ERROR): the call was refused as sent, and sending it again cannot
	// succeed.
	definite bool
}

func (e *GraphQLError) Error() string {
	return fmt.Sprintf("shopify: %s: %s", e.Operation, strings.Join(e.Messages, "; "))
}

// HTTPError is a response with a status other than 200 that was not retried, or still
// failed after the last attempt. Its message holds the status and Shopify's parsed error,
// never the raw body: the URL may point at any server, whose error pages must not reach a
// status.
type HTTPError struct {
	Operation  string
	StatusCode int
	// Reason is Shopify's error from the answer's {"errors": ...}, redacted and cut; empty
	// when the answer is not one.
	Reason string
	// Body is the start of the response body, redacted as a whole before it was cut, for
	// the log only (channel.Answer).
	Body string
}

// snippetBytes is how much of an error answer an HTTPError keeps.
const snippetBytes = 512

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("shopify: %s: HTTP %d %s", e.Operation, e.StatusCode, http.StatusText(e.StatusCode))
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

// errorReason reads Shopify's error answer, {"errors": "..."} or {"errors": [{"message":
// "..."}]} (or a list of strings), from a complete answer: its messages, redacted and cut,
// or "".
func errorReason(body []byte, complete bool, secrets ...string) string {
	var doc struct {
		Errors json.RawMessage `json:"errors"`
	}
	if !complete || json.Unmarshal(body, &doc) != nil || len(doc.Errors) == 0 {
		return ""
	}
	var messages []string
	var one string
	var texts []string
	var objects []struct {
		Message string `json:"message"`
	}
	switch {
	case json.Unmarshal(doc.Errors, &one) == nil:
		messages = []string{one}
	case json.Unmarshal(doc.Errors, &texts) == nil:
		messages = texts
	case json.Unmarshal(doc.Errors, &objects) == nil:
		for _, o := range objects {
			messages = append(messages, o.Message)
		}
	}
	return egress.Snippet([]byte(strings.Join(messages, "; ")), true, snippetBytes, secrets...)
}

// do sends op with vars, pacing it by the shared bucket and retrying what can be retried,
// and decodes the response's data into out.
func (c *Connector) do(ctx context.Context, op operation, vars any, out any) error {
	body, err := json.Marshal(graphQLRequest{Query: op.document, OperationName: op.name, Variables: vars})
	if err != nil {
		return fmt.Errorf("shopify: %s: encoding variables: %w", op.name, err)
	}
	failures, throttles := 0, 0
	for {
		reserved, err := c.pacer.acquire(ctx, c.costs.expect(op))
		if err != nil {
			return err
		}
		resp, retryAfter, err := c.post(ctx, op, body)
		if err != nil {
			// The request may have reached the server: keep the reservation as spent.
			c.pacer.settle(reserved, nil, nil)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var httpErr *HTTPError
			if errors.As(err, &httpErr) && httpErr.StatusCode == http.StatusTooManyRequests {
				c.throttled.Add(1)
			}
			failures++
			if !retryable(err) || failures >= c.cfg.MaxAttempts {
				return err
			}
			if err := c.cfg.Sleep(ctx, max(retryAfter, c.backoff(failures))); err != nil {
				return err
			}
			continue
		}
		if cost := resp.Extensions.Cost; cost != nil {
			c.pacer.settle(reserved, cost.ThrottleStatus, cost.ActualQueryCost)
			c.costs.learn(op, cost.RequestedQueryCost)
			if cost.ActualQueryCost != nil {
				c.points.Add(int64(*cost.ActualQueryCost))
			}
		} else {
			c.pacer.settle(reserved, nil, nil)
		}
		if throttled(resp.Errors) {
			c.throttled.Add(1)
			if throttles++; throttles > maxThrottledRetries {
				return &GraphQLError{Operation: op.name, Messages: []string{"still THROTTLED after retries"}}
			}
			continue
		}
		if len(resp.Errors) > 0 {
			msgs := make([]string, len(resp.Errors))
			definite := true
			for i, e := range resp.Errors {
				msgs[i] = e.Message
				if e.Extensions.Code != "" {
					msgs[i] = e.Extensions.Code + ": " + e.Message
				}
				if e.Extensions.Code == "INTERNAL_SERVER_ERROR" {
					definite = false
				}
			}
			return &GraphQLError{Operation: op.name, Messages: msgs, definite: definite}
		}
		if len(resp.Data) == 0 || string(resp.Data) == "null" {
			return &GraphQLError{Operation: op.name, Messages: []string{"response has no data"}}
		}
		if err := json.Unmarshal(resp.Data, out); err != nil {
			return fmt.Errorf("shopify: %s: decoding response: %w", op.name, err)
		}
		return nil
	}
}

// post sends one request. It returns the Retry-After the server asked for, if any.
func (c *Connector) post(ctx context.Context, op operation, body []byte) (*graphQLResponse, time.Duration, error) {
	attemptCtx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(attemptCtx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("shopify: %s: %w", op.name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(tokenHeader, c.token)
	c.calls.Add(1)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, 0, &transportError{op: op.name, err: err}
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		answer, complete := egress.ReadAnswer(res.Body)
		return nil, c.retryAfter(res.Header.Get("Retry-After")), &HTTPError{
			Operation: op.name, StatusCode: res.StatusCode,
			Reason: errorReason(answer, complete, c.token),
			Body:   egress.Snippet(answer, complete, snippetBytes, c.token),
		}
	}
	answer, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err != nil {
		return nil, 0, &transportError{op: op.name, err: err}
	}
	if len(answer) > maxResponseBytes {
		// Not retried: the same call would get the same answer.
		return nil, 0, fmt.Errorf("shopify: %s: answer exceeds %d MiB", op.name, maxResponseBytes>>20)
	}
	var resp graphQLResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		return nil, 0, fmt.Errorf("shopify: %s: decoding response: %w", op.name, err)
	}
	return &resp, 0, nil
}

// maxResponseBytes bounds a GraphQL answer, as the webhook connector bounds its own: the
// largest this connector asks for, a page of maxPageSize variants with their levels, is a
// few hundred KiB, and an answer is held whole while it is decoded. Without the bound a
// server (or whatever the store URL points at) could grow a sync pod or the relay without
// limit with one answer.
const maxResponseBytes = 16 << 20

// transportError is a request that got no complete response: a network error or a timeout.
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return fmt.Sprintf("shopify: %s: %v", e.op, e.err) }
func (e *transportError) Unwrap() error { return e.err }

func retryable(err error) bool {
	var transport *transportError
	if errors.As(err, &transport) {
		return true
	}
	var httpErr *HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.StatusCode == http.StatusTooManyRequests || httpErr.StatusCode >= 500
	}
	return false
}

// refusedCall reports whether err is Shopify's definite refusal of a whole call: it answered,
// applied nothing, and the same call cannot succeed later. That is an HTTP 4xx other than
// 429 (which only asks to wait), or GraphQL errors that are not Shopify's own failure, such
// as a variable that does not fit its type. Anything else (a network error, a timeout, a
// 5xx, throttling that outlasted the retries) leaves the outcome unknown.
func refusedCall(err error) bool {
	var httpErr *HTTPError
	if errors.As(err, &httpErr) {
		return httpErr.StatusCode >= 400 && httpErr.StatusCode < 500 && httpErr.StatusCode != http.StatusTooManyRequests
	}
	var gqlErr *GraphQLError
	return errors.As(err, &gqlErr) && gqlErr.definite
}

func throttled(errs []graphQLError) bool {
	for _, e := range errs {
		if e.Extensions.Code == "THROTTLED" {
			return true
		}
	}
	return false
}

// maxBackoff caps the backoff between retries.
const maxBackoff = 30 * time.Second

// backoff is the wait before retry n (from 1).
func (c *Connector) backoff(n int) time.Duration {
	return retry.Backoff(n, c.cfg.RetryBackoff, maxBackoff)
}

// retryAfter is the wait a response's Retry-After header asks for, bounded; 0 when it names
// none.
func (c *Connector) retryAfter(header string) time.Duration {
	d, _ := retry.After(header, c.cfg.Now())
	return d
}
