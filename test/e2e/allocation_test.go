//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// A channel that keeps a buffer and shows a percentage of the rest: a plan reports what the
// next run writes and writes nothing, the scheduled run then writes exactly that, and relay
// events with the warehouse's level keep the rules while one without it is refused.
func TestAllocationRulesInPlansRunsAndRelayEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := newNamespace(t)
	s := newShopWithSecret(t, ns, "rules-shop",
		stockLine{"SKU-1", 0}, stockLine{"SKU-2", 3}, stockLine{"SKU-3", 7}, stockLine{"SKU-4", 13})
	// buffer 5, then 50%: 25 → 10, 4 → 0, 12 → 3, 31 → 13 (already shown).
	f := newFeed(t, "sku,quantity\nSKU-1,25\nSKU-2,4\nSKU-3,12\nSKU-4,31\n")
	ch := newChannel(t, ns, "rules", s, v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip, func(c *v1alpha1.SalesChannel) {
		c.Spec.Inventory.Allocation = &v1alpha1.AllocationRules{Buffer: ptr.To[int64](5), Percentage: ptr.To[int64](50)}
	})
	// Suspended, so that the plan comes before any run.
	sync := newSync(t, ns, "every-minute", ch, f, s, "* * * * *", func(is *v1alpha1.InventorySync) { is.Spec.Suspend = ptr.To(true) })

	plan := planOf(t, sync, "plan-1")
	if plan.Result != v1alpha1.RunSucceeded || plan.RequestedAt != "plan-1" {
		t.Fatalf("plan %+v, want a succeeded plan for plan-1", *plan)
	}
	wantChanges := []v1alpha1.PlannedChange{{SKU: "SKU-1", From: 0, To: 10, Feed: 25}, {SKU: "SKU-2", From: 3, To: 0, Feed: 4}, {SKU: "SKU-3", From: 7, To: 3, Feed: 12}}
	if !slices.Equal(plan.Changes, wantChanges) {
		t.Errorf("planned changes %+v, want %+v", plan.Changes, wantChanges)
	}
	if got, want := ptr.Deref(plan.SKUs, v1alpha1.SKUCounts{}), (v1alpha1.SKUCounts{Read: 4, Updated: 3, Unchanged: 1}); got != want {
		t.Errorf("plan counts %+v, want %+v", got, want)
	}
	untouched := map[string][]int64{"SKU-1": {0}, "SKU-2": {3}, "SKU-3": {7}, "SKU-4": {13}}
	if writes := s.Stats().ItemsWritten; writes != 0 {
		t.Errorf("the plan wrote %d items", writes)
	}
	s.waitLevels(t, untouched)
	if got := getSync(t, ns, sync.Name); got.Status.LastRun != nil {
		t.Errorf("the plan was recorded as a run: %+v", *got.Status.LastRun)
	}

	resume := client.MergeFrom(sync.DeepCopy())
	sync.Spec.Suspend = ptr.To(false)
	if err := k8s.Patch(ctx, sync, resume); err != nil {
		t.Fatal(err)
	}
	done := waitRun(t, ns, sync.Name, scheduledTimeout, "a scheduled run", func(r *v1alpha1.SyncRun) bool {
		return r.Trigger == v1alpha1.TriggerFulfillmentRecurring
	})
	run := done.Status.LastRun
	if run.Result != v1alpha1.RunSucceeded || counts(run) != ptr.Deref(plan.SKUs, v1alpha1.SKUCounts{}) {
		t.Errorf("run %s: %s, counts %+v; the plan said %+v (%s)", run.Job, run.Result, counts(run), plan.SKUs, run.Message)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {10}, "SKU-2": {0}, "SKU-3": {3}, "SKU-4": {13}})

	// The warehouse receives 20 more of SKU-1: 45 → (45 - 5) x 50% = 20. The feed says so
	// too, so a scheduled run in between agrees with the relay.
	f.set("sku,quantity\nSKU-1,45\nSKU-2,4\nSKU-3,12\nSKU-4,31\n")
	relay, relayURL := startRelay(t, ns, "relay-token")
	answer := sendEvents(t, relay, relayURL, "relay-token", `{"events":[
		{"id":"rcpt-1","trigger":"ReceiveReceipt","sku":"SKU-1","fulfillmentChannel":"warehouse","increment":20,"quantityBefore":25,"quantityAfter":45},
		{"id":"rcpt-2","trigger":"ReceiveReceipt","sku":"SKU-3","fulfillmentChannel":"warehouse","increment":4}]}`)
	var statuses []string
	for _, r := range answer.Results {
		for _, c := range r.Channels {
			statuses = append(statuses, c.Status+" "+c.Reason)
		}
	}
	if want := []string{"Pushed ", "NotApplicable AllocationNeedsLevel"}; !slices.Equal(statuses, want) {
		t.Errorf("per-channel results %q, want %q", statuses, want)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {20}, "SKU-2": {0}, "SKU-3": {3}, "SKU-4": {13}})
}

// planOf requests a plan of the InventorySync with token and waits for its result.
func planOf(t *testing.T, sync *v1alpha1.InventorySync, token string) *v1alpha1.SyncPlan {
	t.Helper()
	requestPlan(t, sync, token)
	var plan *v1alpha1.SyncPlan
	eventually(t, runTimeout, "the plan's result", func() (bool, string) {
		got := getSync(t, sync.Namespace, sync.Name)
		plan = got.Status.LastPlan
		if plan == nil || got.Status.LastHandledPlanRequest != token {
			return false, fmt.Sprintf("last handled plan request %q", got.Status.LastHandledPlanRequest)
		}
		return plan.Result != "", fmt.Sprintf("%+v", *plan)
	})
	return plan
}

// requestPlan sets the plan-requested-at annotation on obj to token.
func requestPlan(t *testing.T, obj client.Object, token string) {
	t.Helper()
	patch := client.RawPatch("application/merge-patch+json",
		[]byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, v1alpha1.PlanRequestedAtAnnotation, token)))
	if err := k8s.Patch(context.Background(), obj, patch); err != nil {
		t.Fatalf("request a plan on %s: %v", obj.GetName(), err)
	}
}
