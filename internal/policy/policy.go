// Package policy holds the domain rules of inventory synchronization: which mode applies to a
// sales channel once the duplicate-SKU rule is applied, and, for every trigger, whether that
// mode pushes and how. It imports no Kubernetes code; the manager, the sync role and the
// relay all call it, so the rules live in one place.
package policy

// Mode is a sales channel's inventory synchronization mode.
type Mode string

const (
	DoNotSynchronize                  Mode = "DoNotSynchronize"
	RealTimeAdjustment                Mode = "RealTimeAdjustment"
	SynchronizeWithFulfillmentChannel Mode = "SynchronizeWithFulfillmentChannel"
)

// DuplicateSKUs is a channel's policy for items that share a SKU.
type DuplicateSKUs string

const (
	Skip      DuplicateSKUs = "Skip"
	UpdateAll DuplicateSKUs = "UpdateAll"
)

// Trigger is an event that may push inventory to a sales channel.
type Trigger string

const (
	FulfillmentChannelRecurringJob Trigger = "FulfillmentChannelRecurringJob"
	FulfillmentChannelManualSync   Trigger = "FulfillmentChannelManualSync"
	SalesChannelManualSync         Trigger = "SalesChannelManualSync"
	ImportInventoryLevel           Trigger = "ImportInventoryLevel"
	AdjustInventoryManually        Trigger = "AdjustInventoryManually"
	ReceiveReceipt                 Trigger = "ReceiveReceipt"
	AllocateOrderSameChannel       Trigger = "AllocateOrderSameChannel"
	AllocateOrderOtherChannel      Trigger = "AllocateOrderOtherChannel"
	CancelShipment                 Trigger = "CancelShipment"
	APIBulkUpdate                  Trigger = "APIBulkUpdate"
	APISingleRowUpdate             Trigger = "APISingleRowUpdate"
)

// Triggers lists every trigger, in the order of the trigger table in docs/design.md.
var Triggers = []Trigger{
	FulfillmentChannelRecurringJob, FulfillmentChannelManualSync, SalesChannelManualSync,
	ImportInventoryLevel, AdjustInventoryManually, ReceiveReceipt, AllocateOrderSameChannel,
	AllocateOrderOtherChannel, CancelShipment, APIBulkUpdate, APISingleRowUpdate,
}

// Push is what a trigger sends to a channel.
type Push string

const (
	// NoPush: the channel receives nothing.
	NoPush Push = ""
	// Incremental: the change is sent as an adjustment (+3 SKU A, -5 SKU B).
	Incremental Push = "Incremental"
	// Absolute: the full value is sent (98 SKU A, 27 SKU B).
	Absolute Push = "Absolute"
)

// EffectiveMode applies the duplicate-SKU rule: UpdateAll forces
// SynchronizeWithFulfillmentChannel whatever the configured mode. overridden says whether
// the rule changed the mode.
func EffectiveMode(configured Mode, duplicates DuplicateSKUs) (mode Mode, overridden bool) {
	if duplicates == UpdateAll && configured != SynchronizeWithFulfillmentChannel {
		return SynchronizeWithFulfillmentChannel, true
	}
	return configured, false
}

// DuplicateSKUsSupported says whether a platform honours the duplicate-SKU policy. Only
// Shopify does today; elsewhere UpdateAll still forces the mode but changes nothing else.
func DuplicateSKUsSupported(platform string) bool {
	return platform == "Shopify"
}

// Decide is the trigger table: what trigger t pushes to a channel whose effective mode is m.
// Manual sales-channel syncs always push full values; an order allocated from the same
// channel never pushes, since that channel already counted it.
func Decide(m Mode, t Trigger) Push {
	if t == SalesChannelManualSync {
		return Absolute
	}
	switch m {
	case RealTimeAdjustment:
		if t == AllocateOrderSameChannel {
			return NoPush
		}
		return Incremental
	case SynchronizeWithFulfillmentChannel:
		switch t {
		case FulfillmentChannelRecurringJob, FulfillmentChannelManualSync, APIBulkUpdate:
			return Absolute
		}
	}
	return NoPush
}
