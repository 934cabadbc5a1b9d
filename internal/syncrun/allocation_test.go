package syncrun_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

func ptr(v int64) *int64 { return &v }

func TestRunWritesWhatTheAllocationRulesLeave(t *testing.T) {
	// Buffer 5, then half of the rest, at most 40, nothing below 8.
	rules := allocation.Rules{Threshold: 8, Buffer: 5, Percent: ptr(50), Maximum: ptr(40)}
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyAbsolute, v1alpha1.StrategyIncremental} {
		t.Run(string(strategy), func(t *testing.T) {
			ch := newWebhookChannel(t, item("a", "A", 0), item("b", "B", 9), item("c", "C", 3), item("d", "D", 1), item("e", "E", 0))
			opts := options(levels(t, "A=25", "B=200", "C=7", "D=8", "E=6"), ch.conn)
			opts.Strategy, opts.Allocation = strategy, rules

			report := syncrun.Run(t.Context(), opts)

			// A: (25-5)/2 = 10. B: capped at 40. C: below the threshold. D: (8-5)/2 = 1,
			// already shown. E: below the threshold, already 0.
			checkCounts(t, report, v1alpha1.SKUCounts{Read: 5, Updated: 3, Unchanged: 2}, syncrun.Succeeded)
			checkQuantities(t, ch, map[string]int64{"a": 10, "b": 40, "c": 0, "d": 1, "e": 0})
		})
	}
}

func TestPlanWritesNothingAndReportsWhatARunWrites(t *testing.T) {
	rules := allocation.Rules{Buffer: 2, Percent: ptr(50)}
	ch := newWebhookChannel(t, item("a", "A", 0), item("b", "B", 4), item("c1", "C", 1), item("c2", "C", 6), item("d", "D", 1))
	feed := levels(t, "A=12", "B=10", "C=9", "D=4", "Z=3")
	opts := options(feed, ch.conn)
	opts.Allocation, opts.DuplicateSKUs, opts.PlanOnly = rules, v1alpha1.DuplicateSKUsUpdateAll, true

	plan := syncrun.Run(t.Context(), opts)

	if ch.writeRequests(webhook.OperationSet)+ch.writeRequests(webhook.OperationAdjust) != 0 {
		t.Fatalf("the plan wrote to the channel")
	}
	// A: (12-2)/2 = 5 from 0. B: 4, unchanged. C: 3, both items differ. D: 1, unchanged.
	// Each change names the feeds' level the rules lowered.
	wantChanges := []v1alpha1.PlannedChange{{SKU: "A", From: 0, To: 5, Feed: 12}, {SKU: "C", From: 1, To: 3, Feed: 9}}
	checkCounts(t, plan, v1alpha1.SKUCounts{Read: 5, Updated: 2, Unchanged: 2, NotFound: 1}, syncrun.Succeeded)
	if !slices.Equal(plan.Result.Changes, wantChanges) {
		t.Errorf("planned changes %+v, want %+v", plan.Result.Changes, wantChanges)
	}
	checkQuantities(t, ch, map[string]int64{"a": 0, "b": 4, "c1": 1, "c2": 6, "d": 1})

	opts.PlanOnly = false
	run := syncrun.Run(t.Context(), opts)
	if run.Result.SKUs != plan.Result.SKUs {
		t.Errorf("the run counted %+v, the plan %+v", run.Result.SKUs, plan.Result.SKUs)
	}
	checkQuantities(t, ch, map[string]int64{"a": 5, "b": 4, "c1": 3, "c2": 3, "d": 1})
}

func TestPlanSamplesTheFirstChangesInSKUOrder(t *testing.T) {
	var pairs []string
	var onChannel []channel.Item
	for i := range 25 {
		sku := string(rune('a'+i)) + "-sku"
		pairs = append(pairs, sku+"=7")
		onChannel = append(onChannel, item(sku, sku, 0))
	}
	ch := newWebhookChannel(t, onChannel...)
	opts := options(levels(t, pairs...), ch.conn)
	opts.PlanOnly = true
	plan := syncrun.Run(t.Context(), opts)
	checkCounts(t, plan, v1alpha1.SKUCounts{Read: 25, Updated: 25}, syncrun.Succeeded)
	if len(plan.Result.Changes) != v1alpha1.MaxChangeSample || plan.Result.Changes[0].SKU != "a-sku" || plan.Result.Changes[9].SKU != "j-sku" {
		t.Errorf("sample %+v, want the first %d SKUs", plan.Result.Changes, v1alpha1.MaxChangeSample)
	}
	if encoded := syncrun.Encode(plan.Result); len(encoded) > syncrun.MaxResultBytes {
		t.Errorf("the plan's result takes %d bytes", len(encoded))
	}
}

func TestRunSumsSeveralFeeds(t *testing.T) {
	ch := newWebhookChannel(t, item("a", "A", 0), item("b", "B", 0), item("c", "C", 0))
	sum := fulfillment.Sum{
		{Name: "berlin", Source: levels(t, "A=3", "B=4")},
		{Name: "hamburg", Source: levels(t, "A=10", "C=1")},
	}
	opts := options(sum, ch.conn)
	opts.Allocation = allocation.Rules{Buffer: 2}
	report := syncrun.Run(t.Context(), opts)
	// The buffer applies to the sum: A = 13 - 2, not (3-2) + (10-2).
	checkCounts(t, report, v1alpha1.SKUCounts{Read: 3, Updated: 2, Unchanged: 1}, syncrun.Succeeded)
	checkQuantities(t, ch, map[string]int64{"a": 11, "b": 2, "c": 0})
}

// failingSource is a feed that cannot be read.
type failingSource struct{ err error }

func (f failingSource) Read(context.Context) (*fulfillment.Levels, error) { return nil, f.err }

func TestRunFailsBeforeWritingWhenOneFeedIsMalformed(t *testing.T) {
	_, malformed := fulfillment.Parse(strings.NewReader("sku,quantity\nA,many\n"), v1alpha1.FeedFormatCSV)
	if malformed == nil {
		t.Fatal("the malformed feed parsed")
	}
	ch := newWebhookChannel(t, item("a", "A", 0))
	sum := fulfillment.Sum{{Name: "berlin", Source: levels(t, "A=3")}, {Name: "hamburg", Source: failingSource{malformed}}}
	report := syncrun.Run(t.Context(), options(sum, ch.conn))
	if report.Status != syncrun.Permanent || !strings.Contains(report.Result.Message, "feed hamburg: ") {
		t.Errorf("status %v, message %q: want a permanent failure naming feed hamburg", report.Status, report.Result.Message)
	}
	if ch.writeRequests(webhook.OperationSet)+ch.writeRequests(webhook.OperationAdjust) != 0 || ch.quantities()["a"] != 0 {
		t.Errorf("a run with a malformed feed wrote")
	}
}

func TestRunRefusesASumOutOfRange(t *testing.T) {
	ch := newWebhookChannel(t, item("a", "A", 0), item("b", "B", 0))
	sum := fulfillment.Sum{
		{Name: "berlin", Source: levels(t, "A=1000000000", "B=1")},
		{Name: "hamburg", Source: levels(t, "A=1000000000", "B=1")},
		{Name: "munich", Source: levels(t, "A=1000000000", "B=1")},
	}
	report := syncrun.Run(t.Context(), options(sum, ch.conn))
	if report.Status != syncrun.Permanent || !strings.Contains(report.Result.Message, `SKU "A"`) {
		t.Errorf("status %v, message %q: want a permanent failure naming SKU A", report.Status, report.Result.Message)
	}
	if ch.writeRequests(webhook.OperationSet)+ch.writeRequests(webhook.OperationAdjust) != 0 {
		t.Errorf("a run whose feeds sum beyond the bound wrote")
	}
}
