//go:build e2e

package e2e

import (
	"context"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

// A recurring sync runs on its schedule through the real CronJob and Job controllers and
// pushes the feed's full values.
func TestScheduledSyncPushesFeedValues(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	s := newShop(t, ns, stockLine{"SKU-1", 10}, stockLine{"SKU-2", 0}, stockLine{"SKU-3", 5})
	f := newFeed(t, "sku,quantity\nSKU-1,98\nSKU-2,27\nSKU-3,5\n")
	ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	newSync(t, ns, "every-minute", ch, f, s, "* * * * *")

	sync := waitRun(t, ns, "every-minute", scheduledTimeout, "a scheduled run", func(r *v1alpha1.SyncRun) bool {
		return r.Trigger == v1alpha1.TriggerFulfillmentRecurring
	})
	run := sync.Status.LastRun
	if run.Result != v1alpha1.RunSucceeded {
		t.Fatalf("scheduled run %s: %s (%s)", run.Job, run.Result, run.Message)
	}
	if got, want := counts(run), (v1alpha1.SKUCounts{Read: 3, Updated: 2, Unchanged: 1}); got != want {
		t.Errorf("run counts %+v, want %+v", got, want)
	}
	if run.Strategy != v1alpha1.StrategyAbsolute {
		t.Errorf("run strategy %s, want Absolute", run.Strategy)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {98}, "SKU-2": {27}, "SKU-3": {5}})
	if c := condition(sync.Status.Conditions, "Ready"); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("Ready condition %+v, want True", c)
	}
}

// Switching a channel to DoNotSynchronize suspends its syncs' CronJobs, and a sales-channel
// manual sync still pushes full values.
func TestDoNotSynchronizeStopsScheduledPushesButNotSalesChannelManualSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := newNamespace(t)
	s := newShop(t, ns, stockLine{"SKU-1", 1}, stockLine{"SKU-2", 2})
	f := newFeed(t, "sku,quantity\nSKU-1,11\nSKU-2,22\n")
	ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	newSync(t, ns, "every-minute", ch, f, s, "* * * * *")

	cronJob := &batchv1.CronJob{}
	key := client.ObjectKey{Namespace: ns, Name: workload.CronJobName("every-minute")}
	eventually(t, runTimeout, "the CronJob, running", func() (bool, string) {
		if err := k8s.Get(ctx, key, cronJob); err != nil {
			return false, err.Error()
		}
		return cronJob.Spec.Suspend == nil || !*cronJob.Spec.Suspend, "suspended"
	})

	patch := client.MergeFrom(ch.DeepCopy())
	ch.Spec.Inventory.Mode = v1alpha1.ModeDoNotSynchronize
	if err := k8s.Patch(ctx, ch, patch); err != nil {
		t.Fatal(err)
	}
	eventually(t, runTimeout, "the CronJob, suspended", func() (bool, string) {
		if err := k8s.Get(ctx, key, cronJob); err != nil {
			return false, err.Error()
		}
		sync := getSync(t, ns, "every-minute")
		suspended := cronJob.Spec.Suspend != nil && *cronJob.Spec.Suspend
		return suspended && sync.Status.EffectiveMode == v1alpha1.ModeDoNotSynchronize,
			"effective mode " + string(sync.Status.EffectiveMode)
	})
	suspendedAt := time.Now()

	// New values, so only a push after the switch can bring them.
	f.set("sku,quantity\nSKU-1,111\nSKU-2,222\n")
	requestSync(t, ch, "manual-1")
	sync := waitRun(t, ns, "every-minute", runTimeout, "the sales-channel manual run", func(r *v1alpha1.SyncRun) bool {
		return r.Trigger == v1alpha1.TriggerSalesChannelManual
	})
	if run := sync.Status.LastRun; run.Result != v1alpha1.RunSucceeded || run.Strategy != v1alpha1.StrategyAbsolute {
		t.Fatalf("sales-channel manual run %s: %s, strategy %s (%s)", run.Job, run.Result, run.Strategy, run.Message)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {111}, "SKU-2": {222}})

	var jobs batchv1.JobList
	if err := k8s.List(ctx, &jobs, client.InNamespace(ns),
		client.MatchingLabels{workload.LabelTrigger: string(v1alpha1.TriggerFulfillmentRecurring)}); err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs.Items {
		if j.CreationTimestamp.After(suspendedAt.Add(time.Second)) {
			t.Errorf("scheduled Job %s was created after the channel stopped synchronizing", j.Name)
		}
	}
}

// UpdateAll forces full values and writes every variant of a shared SKU; Skip leaves them
// and reports them.
func TestDuplicateSKUs(t *testing.T) {
	t.Parallel()
	stock := []stockLine{{"SKU-SHARED", 3}, {"SKU-SHARED", 4}, {"SKU-1", 0}}
	const csv = "sku,quantity\nSKU-SHARED,40\nSKU-1,9\n"

	t.Run("Skip", func(t *testing.T) {
		t.Parallel()
		ns := newNamespace(t)
		s := newShop(t, ns, stock...)
		ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
		newSync(t, ns, "once", ch, newFeed(t, csv), s, "")
		sync := waitRun(t, ns, "once", runTimeout, "the one-off run", func(*v1alpha1.SyncRun) bool { return true })
		run := sync.Status.LastRun
		if run.Result != v1alpha1.RunSucceeded {
			t.Fatalf("run %s: %s (%s)", run.Job, run.Result, run.Message)
		}
		if got := counts(run); got.SkippedDuplicates != 1 || got.Updated != 1 {
			t.Errorf("run counts %+v, want 1 skipped duplicate and 1 updated", got)
		}
		s.waitLevels(t, map[string][]int64{"SKU-SHARED": {3, 4}, "SKU-1": {9}})
	})

	t.Run("UpdateAll", func(t *testing.T) {
		t.Parallel()
		ns := newNamespace(t)
		s := newShop(t, ns, stock...)
		ch := newChannel(t, ns, "shop", s, v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsUpdateAll)
		newSync(t, ns, "once", ch, newFeed(t, csv), s, "")
		sync := waitRun(t, ns, "once", runTimeout, "the one-off run", func(*v1alpha1.SyncRun) bool { return true })
		run := sync.Status.LastRun
		if run.Result != v1alpha1.RunSucceeded {
			t.Fatalf("run %s: %s (%s)", run.Job, run.Result, run.Message)
		}
		if run.Strategy != v1alpha1.StrategyAbsolute || sync.Status.EffectiveMode != v1alpha1.ModeSynchronizeWithFulfillmentChannel {
			t.Errorf("strategy %s, effective mode %s; want Absolute, SynchronizeWithFulfillmentChannel", run.Strategy, sync.Status.EffectiveMode)
		}
		if got := counts(run); got.SkippedDuplicates != 0 {
			t.Errorf("run counts %+v, want no skipped duplicates", got)
		}
		s.waitLevels(t, map[string][]int64{"SKU-SHARED": {40, 40}, "SKU-1": {9}})
		var latest v1alpha1.SalesChannel
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(ch), &latest); err != nil {
			t.Fatal(err)
		}
		if latest.Status.EffectiveMode != v1alpha1.ModeSynchronizeWithFulfillmentChannel || latest.Spec.Inventory.Mode != v1alpha1.ModeRealTimeAdjustment {
			t.Errorf("channel mode %s, effective %s; want the spec kept and the effective mode forced", latest.Spec.Inventory.Mode, latest.Status.EffectiveMode)
		}
	})
}

// A channel answering 5xx fails the run and makes the sync not ready with the reason; the
// next run after it recovers succeeds.
func TestFailingChannelRecovers(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	s := newShop(t, ns, stockLine{"SKU-1", 1})
	f := newFeed(t, "sku,quantity\nSKU-1,50\n")
	ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	// A yearly schedule: the runs here are requested by hand.
	newSync(t, ns, "yearly", ch, f, s, "0 0 1 1 *")

	s.FailNext(1_000_000, 503)
	requestSync(t, getSync(t, ns, "yearly"), "attempt-1")
	sync := waitRun(t, ns, "yearly", 2*runTimeout, "a failed run", func(r *v1alpha1.SyncRun) bool {
		return r.Result == v1alpha1.RunFailed
	})
	ready := condition(sync.Status.Conditions, "Ready")
	if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != v1alpha1.ReasonLastRunFailed {
		t.Fatalf("Ready condition %+v, want False with reason %s", ready, v1alpha1.ReasonLastRunFailed)
	}
	t.Logf("failed run: %s", sync.Status.LastRun.Message)
	if got := s.availableBySKU("SKU-1"); got[0] != 1 {
		t.Fatalf("SKU-1 at %d after a failed run, want 1", got[0])
	}

	s.FailNext(0, 0)
	requestSync(t, sync, "attempt-2")
	waitRun(t, ns, "yearly", runTimeout, "a succeeded run", func(r *v1alpha1.SyncRun) bool {
		return r.Result == v1alpha1.RunSucceeded
	})
	eventually(t, runTimeout, "Ready=True", func() (bool, string) {
		c := condition(getSync(t, ns, "yearly").Status.Conditions, "Ready")
		return c != nil && c.Status == metav1.ConditionTrue, condString(c)
	})
	s.waitLevels(t, map[string][]int64{"SKU-1": {50}})
}

func condString(c *metav1.Condition) string {
	if c == nil {
		return "absent"
	}
	return string(c.Status) + " " + c.Reason + ": " + c.Message
}
