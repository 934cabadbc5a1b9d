package relay

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/policy"
	"github.com/techoms/inventory-operator/internal/skumap"
	"github.com/techoms/inventory-operator/internal/workload"
)

// target is one event's destination: a channel location to push to, or, when result is set,
// a channel the event does not reach and why.
type target struct {
	channel  *v1alpha1.SalesChannel
	sync     *v1alpha1.InventorySync
	strategy v1alpha1.Strategy
	quantity int64
	// sku is the channel SKU written: the event's, or one a catalog mapping derives from it.
	sku string
	// allocated says quantity is what the location should show under its allocation rules:
	// the lane writes the difference from what it shows, with compare-and-swap, whatever the
	// strategy the mode chose.
	allocated bool
	result    *ChannelResult
}

// planEvent applies the trigger table to a valid event for every channel in scope, in
// channel name order, then each channel's InventorySyncs from the event's fulfillment channel,
// one target per location and channel SKU the location's catalog mapping derives from the
// event's SKU (in channel SKU order).
func planEvent(scope *Scope, ev *Event, in planInputs) []target {
	channels := make([]*v1alpha1.SalesChannel, len(scope.Channels))
	for i := range scope.Channels {
		channels[i] = &scope.Channels[i]
	}
	slices.SortFunc(channels, func(a, b *v1alpha1.SalesChannel) int { return cmp.Compare(a.Name, b.Name) })
	var targets []target
	for _, ch := range channels {
		targets = append(targets, planChannel(scope, ch, ev, in)...)
	}
	return targets
}

func planChannel(scope *Scope, ch *v1alpha1.SalesChannel, ev *Event, in planInputs) []target {
	configured := policy.Mode(ch.Spec.Inventory.Mode)
	mode, overridden := policy.EffectiveMode(configured, policy.DuplicateSKUs(ch.Spec.Inventory.DuplicateSKUs))
	trigger := ev.PolicyTrigger(ch.Name)
	push := policy.Decide(mode, trigger)
	skip := func(reason, msg string) []target {
		return []target{{channel: ch, result: &ChannelResult{SalesChannel: ch.Name, Status: StatusNotApplicable, Reason: reason, Message: msg}}}
	}
	if push == policy.NoPush {
		if trigger == policy.AllocateOrderSameChannel {
			return skip(ReasonSameChannelOrder, "the order came from this channel, which already counted it")
		}
		msg := fmt.Sprintf("mode %s does not push %s", mode, trigger)
		if overridden {
			msg = fmt.Sprintf("effective mode %s (duplicateSKUs UpdateAll overrides %s) does not push %s", mode, configured, trigger)
		}
		return skip(ReasonModeDoesNotPush, msg)
	}
	var syncs []*v1alpha1.InventorySync
	for i := range scope.Syncs {
		s := &scope.Syncs[i]
		if s.Namespace == ch.Namespace && s.Spec.SalesChannelRef.Name == ch.Name && s.Spec.FulfillmentChannel.Name == ev.FulfillmentChannel {
			syncs = append(syncs, s)
		}
	}
	if len(syncs) == 0 {
		return skip(ReasonNoInventorySync, fmt.Sprintf("no InventorySync connects fulfillment channel %s to this channel", ev.FulfillmentChannel))
	}
	slices.SortFunc(syncs, func(a, b *v1alpha1.InventorySync) int { return cmp.Compare(a.Name, b.Name) })
	var targets []target
	seen := map[string]bool{}
	for _, s := range syncs {
		loc := s.Spec.FulfillmentChannel.LocationID
		if seen[loc] {
			continue
		}
		seen[loc] = true
		base := ChannelResult{SalesChannel: ch.Name, InventorySync: s.Name, LocationID: loc, Push: push}
		if s.Spec.Suspend != nil && *s.Spec.Suspend {
			base.Status, base.Reason, base.Message = StatusNotApplicable, ReasonInventorySyncSuspend, "the InventorySync is suspended"
			targets = append(targets, target{channel: ch, sync: s, result: &base})
			continue
		}
		derived, unmapped := deriveSKUs(in, ch, s, ev)
		if unmapped != nil {
			base.Status, base.Reason, base.Message = StatusNotApplicable, unmapped.reason, unmapped.message
			targets = append(targets, target{channel: ch, sync: s, result: &base})
			continue
		}
		for _, d := range derived {
			targets = append(targets, planSKU(in, ch, s, ev, push, base, d))
		}
	}
	return targets
}

// planSKU plans the event for one channel SKU at the sync's location: the event's own SKU or
// an alias take the event as it is; a kit is brought to the level its components allow.
func planSKU(in planInputs, ch *v1alpha1.SalesChannel, s *v1alpha1.InventorySync, ev *Event, push policy.Push, base ChannelResult, d derivedSKU) target {
	t := target{channel: ch, sync: s, sku: d.sku}
	if d.sku != ev.SKU {
		base.SKU = d.sku
	}
	rules := v1alpha1.EffectiveAllocation(s, ch).Rules()
	feeds := len(s.Spec.FulfillmentChannel.FeedList())
	switch {
	case skumap.IsKit(d.components):
		return planKit(in, t, s, ev, push, base, d, rules, feeds)
	case feeds > 1 && (!rules.Empty() || push == policy.Absolute):
		// An increment adds up correctly into a sum; a level does not, and rules apply to
		// the sum only.
		base.Status, base.Reason, base.Message = StatusNotApplicable, ReasonSummedFeeds, summedFeedsMessage(feeds, !rules.Empty())
		t.result = &base
	case !rules.Empty() && ev.QuantityAfter == nil:
		base.Status, base.Reason = StatusNotApplicable, ReasonAllocationNeedsLevel
		base.Message = "this location has allocation rules and a percentage cannot apply to an increment: send quantityAfter; the next scheduled run corrects the channel"
		t.result = &base
	case !rules.Empty():
		// The mode decided that the event is pushed; under rules what is pushed is the
		// level the rules leave of the warehouse's.
		t.strategy, t.quantity, t.allocated = workload.StrategyFor(push), allocation.Apply(rules, *ev.QuantityAfter), true
	case push == policy.Absolute && ev.QuantityAfter == nil:
		base.Status, base.Reason, base.Message = StatusFailed, ReasonNoAbsoluteQuantity, "this channel takes absolute values and the event has no quantityAfter"
		t.result = &base
	case push == policy.Absolute:
		t.strategy, t.quantity = v1alpha1.StrategyAbsolute, *ev.QuantityAfter
	default:
		t.strategy, t.quantity = v1alpha1.StrategyIncremental, ev.Delta()
		if t.quantity == 0 {
			base.Status, base.Reason, base.Message = StatusNotApplicable, ReasonNoChange, "the increment is zero"
			t.result = &base
		}
	}
	return t
}

func summedFeedsMessage(feeds int, rules bool) string {
	if rules {
		return fmt.Sprintf("this location sums %d warehouses' feeds and has allocation rules, which apply to the sum; one warehouse's event does not carry the sum, so the next scheduled run corrects the channel", feeds)
	}
	return fmt.Sprintf("this location sums %d warehouses' feeds: the event's quantityAfter is one warehouse's level, not the location's, so the next scheduled run corrects the channel", feeds)
}
