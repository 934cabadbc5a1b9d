//go:build e2e

package e2e

import (
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// A unit sold in the store between a run's read and its write stays sold: the run's
// compare-and-swap write finds the store moved, reads it again and writes the feed's level
// less the unit sold, not the feed's level again.
func TestRunKeepsAUnitSoldDuringTheRunSold(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	s := newShop(t, ns, stockLine{"SKU-1", 2}, stockLine{"SKU-2", 0})
	s.MakeStale(s.InventoryItemGIDs("SKU-1")[0])
	f := newFeed(t, "sku,quantity\nSKU-1,5\nSKU-2,1\n")
	ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	newSync(t, ns, "one-off", ch, f, s, "")

	sync := waitRun(t, ns, "one-off", runTimeout, "the one-off run", func(*v1alpha1.SyncRun) bool { return true })
	run := sync.Status.LastRun
	if run.Result != v1alpha1.RunSucceeded {
		t.Fatalf("run %s: %s (%s)", run.Job, run.Result, run.Message)
	}
	if got, want := counts(run), (v1alpha1.SKUCounts{Read: 2, Updated: 2}); got != want {
		t.Errorf("run counts %+v, want %+v", got, want)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {4}, "SKU-2": {1}})
}
