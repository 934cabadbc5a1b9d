package syncrun_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

func TestRunPushesOnlyWhatDiffers(t *testing.T) {
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyAbsolute, v1alpha1.StrategyIncremental} {
		t.Run(string(strategy), func(t *testing.T) {
			ch := newWebhookChannel(t,
				item("1", "A", 2), item("2", "B", 3), item("3", "C", 4), item("9", "Z", 1))
			opts := options(levels(t, "A=5", "B=3", "C=0", "D=9"), ch.conn)
			opts.Strategy = strategy

			report := syncrun.Run(t.Context(), opts)

			checkCounts(t, report, v1alpha1.SKUCounts{Read: 4, Unchanged: 1, Updated: 2, NotFound: 1}, syncrun.Succeeded)
			checkQuantities(t, ch, map[string]int64{"1": 5, "2": 3, "3": 0, "9": 1})
			op := map[v1alpha1.Strategy]string{v1alpha1.StrategyAbsolute: webhook.OperationSet, v1alpha1.StrategyIncremental: webhook.OperationAdjust}[strategy]
			if n := ch.writeRequests(op); n != 1 {
				t.Errorf("%d %s requests, want 1", n, op)
			}
		})
	}
}

func TestRunAppliesTheDuplicateSKUPolicy(t *testing.T) {
	tests := []struct {
		policy v1alpha1.DuplicateSKUPolicy
		want   v1alpha1.SKUCounts
		items  map[string]int64
	}{
		{v1alpha1.DuplicateSKUsSkip, v1alpha1.SKUCounts{Read: 2, Updated: 1, SkippedDuplicates: 1}, map[string]int64{"a1": 1, "a2": 2, "a3": 5, "b": 7}},
		{v1alpha1.DuplicateSKUsUpdateAll, v1alpha1.SKUCounts{Read: 2, Updated: 2}, map[string]int64{"a1": 5, "a2": 5, "a3": 5, "b": 7}},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyAbsolute, v1alpha1.StrategyIncremental} {
				ch := newWebhookChannel(t, item("a1", "A", 1), item("a2", "A", 2), item("a3", "A", 5), item("b", "B", 0))
				opts := options(levels(t, "A=5", "B=7"), ch.conn)
				opts.DuplicateSKUs, opts.Strategy = tt.policy, strategy
				checkCounts(t, syncrun.Run(t.Context(), opts), tt.want, syncrun.Succeeded)
				checkQuantities(t, ch, tt.items)
			}
		})
	}
}

func TestRunRetriesStaleItemsWithFreshValues(t *testing.T) {
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyAbsolute, v1alpha1.StrategyIncremental} {
		t.Run(string(strategy), func(t *testing.T) {
			ch := newWebhookChannel(t, item("1", "A", 2), item("2", "B", 0))
			// Another writer moves item 1 between the run's read and its first write.
			ch.onWrite(func(n int) {
				if n == 1 {
					ch.rc.Put(location, item("1", "A", 4))
				}
			})
			opts := options(levels(t, "A=5", "B=1"), ch.conn)
			opts.Strategy = strategy

			report := syncrun.Run(t.Context(), opts)

			checkCounts(t, report, v1alpha1.SKUCounts{Read: 2, Updated: 2}, syncrun.Succeeded)
			checkQuantities(t, ch, map[string]int64{"1": 5, "2": 1})
			if n := ch.rc.Stats().Writes; n != 2 {
				t.Errorf("%d writes applied, want the first and one retry of the stale item", n)
			}
		})
	}
}

func TestRunSettlesStaleItemsThatReachedTheFeedValue(t *testing.T) {
	ch := newWebhookChannel(t, item("1", "A", 2))
	ch.onWrite(func(n int) { ch.rc.Put(location, item("1", "A", 5)) })
	report := syncrun.Run(t.Context(), options(levels(t, "A=5"), ch.conn))
	checkCounts(t, report, v1alpha1.SKUCounts{Read: 1, Unchanged: 1}, syncrun.Succeeded)
	if n := ch.rc.Stats().Writes; n != 1 {
		t.Errorf("%d writes, want only the stale one", n)
	}
}

func TestRunGivesUpOnItemsThatKeepMoving(t *testing.T) {
	ch := newWebhookChannel(t, item("1", "A", 2), item("2", "B", 0))
	ch.onWrite(func(n int) { ch.rc.Put(location, item("1", "A", int64(100+n))) })
	opts := options(levels(t, "A=5", "B=1"), ch.conn)
	opts.MaxStaleRounds = 2

	report := syncrun.Run(t.Context(), opts)

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 2, Updated: 1, Failed: 1}, syncrun.Partial)
	if len(report.Result.Failures) != 1 || report.Result.Failures[0].SKU != "A" ||
		!strings.Contains(report.Result.Failures[0].Reason, "still stale after 2 re-reads") {
		t.Errorf("failures %+v, want A still stale after 2 re-reads", report.Result.Failures)
	}
	if n := ch.writeRequests(webhook.OperationSet); n != 3 {
		t.Errorf("%d write requests, want the first and one per re-read", n)
	}
}

func TestRunAppliesARetriedBatchOnce(t *testing.T) {
	ch := newWebhookChannel(t, item("1", "A", 2), item("2", "B", 0))
	opts := options(levels(t, "A=5", "B=1"), ch.conn)
	opts.Strategy = v1alpha1.StrategyIncremental
	checkCounts(t, syncrun.Run(t.Context(), opts), v1alpha1.SKUCounts{Read: 2, Updated: 2}, syncrun.Succeeded)

	// A retried pod of the same Job whose channel reads as the first pod's did sends the same
	// batch under the same key: the channel answers from its idempotency store.
	ch.rc.Put(location, item("1", "A", 2), item("2", "B", 0))
	syncrun.Run(t.Context(), opts)
	if s := ch.rc.Stats(); s.Writes != 1 || s.Replays != 1 {
		t.Errorf("writes %d, replays %d; want the batch applied once and replayed once", s.Writes, s.Replays)
	}
	checkQuantities(t, ch, map[string]int64{"1": 2, "2": 0})

	// Another batch under the same run id gets another key, not a collision.
	ch.rc.Put(location, item("1", "A", 3))
	checkCounts(t, syncrun.Run(t.Context(), opts), v1alpha1.SKUCounts{Read: 2, Updated: 2}, syncrun.Succeeded)
	if s := ch.rc.Stats(); s.Writes != 2 || s.Rejected != 0 {
		t.Errorf("writes %d, rejected %d; want the new batch applied", s.Writes, s.Rejected)
	}
	checkQuantities(t, ch, map[string]int64{"1": 5, "2": 1})

	// Another run applies the same batch again.
	ch.rc.Put(location, item("1", "A", 2), item("2", "B", 0))
	opts.RunID = "run-2"
	syncrun.Run(t.Context(), opts)
	checkQuantities(t, ch, map[string]int64{"1": 5, "2": 1})
}

func TestRunReportsRefusedItems(t *testing.T) {
	ch := newWebhookChannel(t, item("1", "A", 0), item("2", "B", 0), item("3", "C", 0))
	ch.rc.Refuse("B", "SKU B is archived")

	report := syncrun.Run(t.Context(), options(levels(t, "A=1", "B=2", "C=3"), ch.conn))

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 3, Updated: 2, Failed: 1}, syncrun.Partial)
	want := []v1alpha1.SKUFailure{{SKU: "B", Reason: "SKU B is archived"}}
	if fmt.Sprint(report.Result.Failures) != fmt.Sprint(want) {
		t.Errorf("failures %+v, want %+v", report.Result.Failures, want)
	}
	checkQuantities(t, ch, map[string]int64{"1": 1, "2": 0, "3": 3})
}

func TestRunKeepsAFailureSampleOfTen(t *testing.T) {
	var items []channel.Item
	var feed []string
	ch := newWebhookChannel(t)
	for n := range 25 {
		sku := fmt.Sprintf("SKU-%02d", n)
		items = append(items, item(fmt.Sprint(n), sku, 0))
		feed = append(feed, sku+"=1")
		ch.rc.Refuse(sku, "refused "+sku)
	}
	ch.rc.Put(location, items...)

	report := syncrun.Run(t.Context(), options(levels(t, feed...), ch.conn))

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 25, Failed: 25}, syncrun.Partial)
	if len(report.Result.Failures) != v1alpha1.MaxFailureSample || report.Result.Failures[0].SKU != "SKU-00" {
		t.Errorf("failures %+v, want the first %d SKUs", report.Result.Failures, v1alpha1.MaxFailureSample)
	}
}

func TestRunContinuesAfterAFailedBatch(t *testing.T) {
	ch := newWebhookChannel(t, item("1", "A", 0), item("2", "B", 0))
	ch.onWrite(func(n int) {
		if n == 1 {
			// The connector makes two attempts; both fail.
			ch.rc.Inject(webhooktestFailure(), webhooktestFailure())
		}
	})
	opts := options(levels(t, "A=1", "B=2"), smallBatches{ch.conn, 1})

	report := syncrun.Run(t.Context(), opts)

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 2, Updated: 1, Failed: 1}, syncrun.Partial)
	if len(report.Result.Failures) != 1 || report.Result.Failures[0].SKU != "A" ||
		!strings.HasPrefix(report.Result.Failures[0].Reason, "write failed: ") {
		t.Errorf("failures %+v, want A with the write's error", report.Result.Failures)
	}
	checkQuantities(t, ch, map[string]int64{"1": 0, "2": 2})
}

func TestRunFailsOnAMalformedFeedBeforePushing(t *testing.T) {
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "sku,quantity\nA,5\nB,many\nC,-1\n")
	}))
	defer feed.Close()
	ch := newWebhookChannel(t, item("1", "A", 0))
	src := fulfillment.Feed{URL: feed.URL, Format: v1alpha1.FeedFormatCSV}

	report := syncrun.Run(t.Context(), options(src, ch.conn))

	checkCountsAddUp(t, report)
	if report.Status != syncrun.Permanent {
		t.Errorf("status %v, want Permanent", report.Status)
	}
	for _, want := range []string{"line 3", "line 4"} {
		if !strings.Contains(report.Result.Message, want) {
			t.Errorf("message %q does not name %s", report.Result.Message, want)
		}
	}
	if s := ch.rc.Stats(); s.Requests != 0 {
		t.Errorf("the channel got %d requests, want none", s.Requests)
	}
}

func TestRunRetriesAnUnreachableFeed(t *testing.T) {
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer feed.Close()
	ch := newWebhookChannel(t)
	report := syncrun.Run(t.Context(), options(fulfillment.Feed{URL: feed.URL, Format: v1alpha1.FeedFormatCSV}, ch.conn))
	checkCountsAddUp(t, report)
	if report.Status != syncrun.Partial || !strings.Contains(report.Result.Message, "503") {
		t.Errorf("report %+v, want a retryable failure naming HTTP 503", report)
	}
}

func TestRunStopsAfterTheBatchInFlightWhenCancelled(t *testing.T) {
	ch := newWebhookChannel(t, item("1", "A", 0), item("2", "B", 0), item("3", "C", 0))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ch.onWrite(func(n int) {
		if n == 1 {
			cancel()
		}
	})

	report := syncrun.Run(ctx, options(levels(t, "A=1", "B=2", "C=3"), smallBatches{ch.conn, 1}))

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 3, Updated: 1, Failed: 2}, syncrun.Partial)
	if !strings.Contains(report.Result.Message, "stopped early") {
		t.Errorf("message %q does not say the run stopped early", report.Result.Message)
	}
	checkQuantities(t, ch, map[string]int64{"1": 1, "2": 0, "3": 0})
}

func TestRunWritesBatchesConcurrently(t *testing.T) {
	var items []channel.Item
	var feed []string
	for n := range 1200 {
		sku := fmt.Sprintf("SKU-%04d", n)
		items = append(items, item(fmt.Sprint(n), sku, int64(n%3)))
		feed = append(feed, fmt.Sprintf("%s=%d", sku, n%5))
	}
	ch := newWebhookChannel(t, items...)
	// Item 1100 moves while the first batches are in flight; its batch comes much later.
	ch.onWrite(func(n int) {
		if n == 1 {
			ch.rc.Put(location, item("1100", "SKU-1100", 50))
		}
	})
	opts := options(levels(t, feed...), smallBatches{ch.conn, 37})
	opts.Concurrency = 4

	report := syncrun.Run(t.Context(), opts)

	checkCountsAddUp(t, report)
	c := report.Result.SKUs
	if report.Status != syncrun.Succeeded || c.Read != 1200 || c.Failed != 0 || c.Unchanged+c.Updated != 1200 {
		t.Fatalf("report %+v, want every SKU unchanged or updated", report)
	}
	for _, it := range ch.rc.Items(location) {
		var n int
		_, _ = fmt.Sscan(it.ID, &n)
		if it.Quantity != int64(n%5) {
			t.Errorf("item %s shows %d, want %d", it.ID, it.Quantity, n%5)
		}
	}
}

func TestRunRejectsInvalidOptions(t *testing.T) {
	ch := newWebhookChannel(t)
	opts := options(levels(t, "A=1"), ch.conn)
	opts.Strategy = "Sideways"
	report := syncrun.Run(t.Context(), opts)
	checkCountsAddUp(t, report)
	if report.Status != syncrun.Permanent || report.Result.Message == "" {
		t.Errorf("report %+v, want a permanent failure with a message", report)
	}
}

func TestRunCountsEverySKUFailedWhenTheChannelCannotBeRead(t *testing.T) {
	ch := newWebhookChannel(t, item("1", "A", 0), item("2", "B", 0))
	ch.rc.Inject(webhooktestFailure(), webhooktestFailure()) // both attempts of the item query

	report := syncrun.Run(t.Context(), options(levels(t, "A=1", "B=2", "C=3"), ch.conn))

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 3, Failed: 3}, syncrun.Partial)
	if !strings.HasPrefix(report.Result.Message, "reading the channel's items: ") {
		t.Errorf("message %q does not say the channel's items could not be read", report.Result.Message)
	}
	if len(report.Result.Failures) != 3 || report.Result.Failures[0].SKU != "A" ||
		report.Result.Failures[0].Reason != "not pushed: the channel's items could not be read" {
		t.Errorf("failures %+v, want each SKU with the channel's items unreadable", report.Result.Failures)
	}
	if n := ch.writeRequests(webhook.OperationSet); n != 0 {
		t.Errorf("%d writes, want none", n)
	}
}

func TestRunFailsAnIncrementBeyondTheQuantityBound(t *testing.T) {
	ch := newWebhookChannel(t, item("1", "A", -600_000_000), item("2", "B", 1))
	opts := options(levels(t, "A=500000000", "B=3"), ch.conn)
	opts.Strategy = v1alpha1.StrategyIncremental

	report := syncrun.Run(t.Context(), opts)

	checkCounts(t, report, v1alpha1.SKUCounts{Read: 2, Updated: 1, Failed: 1}, syncrun.Partial)
	if len(report.Result.Failures) != 1 || report.Result.Failures[0].SKU != "A" ||
		!strings.Contains(report.Result.Failures[0].Reason, "out of range") {
		t.Errorf("failures %+v, want A with an increment out of range", report.Result.Failures)
	}
	checkQuantities(t, ch, map[string]int64{"1": -600_000_000, "2": 3})
}
