package shopify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/egress"
)

// itemsByBulk runs a bulk operation exporting every variant, waits for it, and streams its
// JSONL result through fn, one line at a time, so memory does not grow with the catalog.
// Bulk operations spend none of the rate-limit bucket besides starting and polling.
func (c *Connector) itemsByBulk(ctx context.Context, wanted skuSet, fn func(channel.Item) error) error {
	op, err := c.startBulk(ctx)
	if err != nil {
		return err
	}
	op, err = c.awaitBulk(ctx, op)
	if err != nil {
		return err
	}
	if op.URL == nil || *op.URL == "" {
		return nil // a completed operation without a URL found nothing
	}
	return c.streamBulkResult(ctx, *op.URL, wanted, c.quantityName, fn)
}

// maxBulkStartWaits bounds how often starting a bulk operation waits for one of the shop's
// running operations to end; with the poll interval doubling up to BulkPollMax that is
// about ten minutes at the defaults.
const maxBulkStartWaits = 64

// startBulk starts the export. While the shop already runs as many bulk operations as
// Shopify allows at once (LIMIT_REACHED), it waits, longer each time, and tries again.
func (c *Connector) startBulk(ctx context.Context) (*bulkOperation, error) {
	wait := c.cfg.BulkPollInterval
	vars := map[string]string{"query": bulkVariantsQuery(c.locationID, c.quantityName)}
	for waits := 0; ; waits++ {
		var data runBulkQueryData
		if err := c.do(ctx, runBulkQuery, vars, &data); err != nil {
			return nil, err
		}
		if data.Payload == nil {
			return nil, errors.New("shopify: bulkOperationRunQuery returned nothing")
		}
		errs := data.Payload.UserErrors
		if len(errs) > 0 && waits < maxBulkStartWaits && slices.ContainsFunc(errs, isBulkLimitReached) {
			if err := c.cfg.Sleep(ctx, wait); err != nil {
				return nil, err
			}
			wait = min(2*wait, c.cfg.BulkPollMax)
			continue
		}
		if len(errs) > 0 {
			return nil, fmt.Errorf("shopify: starting bulk operation: %s", describeUserErrors(errs))
		}
		if data.Payload.BulkOperation == nil {
			return nil, errors.New("shopify: bulkOperationRunQuery returned no operation")
		}
		return data.Payload.BulkOperation, nil
	}
}

// isBulkLimitReached reports Shopify's refusal to start a bulk operation while the shop runs
// as many as an app may run at once.
func isBulkLimitReached(ue userError) bool { return ue.Code == "LIMIT_REACHED" }

// awaitBulk polls the operation, waiting longer between polls as it runs on, until it ends.
func (c *Connector) awaitBulk(ctx context.Context, op *bulkOperation) (*bulkOperation, error) {
	started := c.cfg.Now()
	for {
		switch op.Status {
		case "COMPLETED":
			return op, nil
		case "FAILED", "CANCELED", "CANCELING", "EXPIRED":
			code := ""
			if op.ErrorCode != nil {
				code = " (" + *op.ErrorCode + ")"
			}
			return nil, fmt.Errorf("shopify: bulk operation %s ended %s%s", op.ID, op.Status, code)
		}
		if err := c.cfg.Sleep(ctx, bulkPollWait(c.cfg.Now().Sub(started), c.cfg.BulkPollInterval, c.cfg.BulkPollMax)); err != nil {
			return nil, err
		}
		var data bulkStatusData
		if err := c.do(ctx, bulkStatus, map[string]string{"id": op.ID}, &data); err != nil {
			return nil, err
		}
		if data.BulkOperation == nil {
			return nil, fmt.Errorf("shopify: bulk operation %s not found", op.ID)
		}
		op = data.BulkOperation
	}
}

// bulkPollWait is the wait before the next poll of an operation that has run for elapsed: a
// quarter of elapsed, between shortest and longest. The operation's end is then seen within
// a quarter of its running time (or shortest), where doubling waits could see it as late as
// its whole running time again, while a poll, at one point, stays a negligible share of
// the bucket's restore rate.
func bulkPollWait(elapsed, shortest, longest time.Duration) time.Duration {
	return min(max(elapsed/bulkPollFraction, shortest), longest)
}

// bulkPollFraction is the share of an operation's running time the next poll waits.
const bulkPollFraction = 4

// streamBulkResult downloads the result file. The URL is signed storage, not the store: the
// access token is not sent to it.
func (c *Connector) streamBulkResult(ctx context.Context, url string, wanted skuSet, quantityName string, fn func(channel.Item) error) error {
	body, err := c.openBulkResult(ctx, url)
	if err != nil {
		return err
	}
	defer body.Close()
	return parseBulkVariants(body, wanted, quantityName, fn)
}

// openBulkResult GETs the result, retrying failures to connect and 5xx like a GraphQL call.
// Once lines have been handed to fn a failure is returned, not retried.
func (c *Connector) openBulkResult(ctx context.Context, url string) (io.ReadCloser, error) {
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, fmt.Errorf("shopify: bulk result URL: %w", err)
		}
		res, err := c.http.Do(req)
		if err == nil && res.StatusCode == http.StatusOK {
			return res.Body, nil
		}
		if err == nil {
			// The storage answers, not the store: it never saw the token, but its answer may
			// repeat the signed URL, which Snippet redacts.
			answer, complete := egress.ReadAnswer(res.Body)
			res.Body.Close()
			// Storage's error documents are not Shopify's: only the status is shown.
			err = &HTTPError{Operation: "bulk result", StatusCode: res.StatusCode, Body: egress.Snippet(answer, complete, snippetBytes, c.token)}
		} else {
			err = &transportError{op: "bulk result", err: err}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !retryable(err) || attempt >= c.cfg.MaxAttempts {
			return nil, err
		}
		if err := c.cfg.Sleep(ctx, c.backoff(attempt)); err != nil {
			return nil, err
		}
	}
}

// bulkLine is one line of the JSONL result: a variant, or a child object of a nested
// connection, which names its parent and which this export has none of.
type bulkLine struct {
	variantNode
	ParentID string `json:"__parentId"`
}

// maxBulkLine bounds one line of a bulk result: a variant with its level is well under a
// KiB, and a line is held whole while it is decoded, so a longer one is refused rather than
// read without limit.
const maxBulkLine = 1 << 20

// parseBulkVariants decodes the JSONL stream line by line and calls fn for each variant whose
// SKU is wanted, with its quantity of the given name.
func parseBulkVariants(r io.Reader, wanted skuSet, quantityName string, fn func(channel.Item) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxBulkLine)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var l bulkLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return fmt.Errorf("shopify: bulk result line %d: %w", line, err)
		}
		if l.ParentID != "" {
			continue
		}
		if item, ok := l.item(quantityName); ok && wanted.has(item.SKU) {
			if err := fn(item); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return fmt.Errorf("shopify: bulk result line %d exceeds %d KiB", line+1, maxBulkLine>>10)
	} else if err != nil {
		return fmt.Errorf("shopify: bulk result line %d: %w", line+1, err)
	}
	return nil
}
