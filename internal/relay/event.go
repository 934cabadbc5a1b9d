package relay

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/policy"
)

// EventTrigger is the trigger an event names on the wire. AllocateOrder becomes
// policy.AllocateOrderSameChannel or policy.AllocateOrderOtherChannel per sales channel.
type EventTrigger string

const (
	TriggerImportInventoryLevel    EventTrigger = "ImportInventoryLevel"
	TriggerAdjustInventoryManually EventTrigger = "AdjustInventoryManually"
	TriggerReceiveReceipt          EventTrigger = "ReceiveReceipt"
	TriggerAllocateOrder           EventTrigger = "AllocateOrder"
	TriggerCancelShipment          EventTrigger = "CancelShipment"
	TriggerAPIBulkUpdate           EventTrigger = "APIBulkUpdate"
	TriggerAPISingleRowUpdate      EventTrigger = "APISingleRowUpdate"
)

// EventTriggers lists the triggers an event may name.
var EventTriggers = []EventTrigger{
	TriggerImportInventoryLevel, TriggerAdjustInventoryManually, TriggerReceiveReceipt,
	TriggerAllocateOrder, TriggerCancelShipment, TriggerAPIBulkUpdate, TriggerAPISingleRowUpdate,
}

// Limits of one event's fields, so a record of applied events stays small.
const (
	MaxEventIDLength = 200
	MaxSKULength     = 255
	MaxNameLength    = 253
)

// Event is one inventory change the OMS reports.
type Event struct {
	// ID is unique per event, chosen by the sender; a retried event carries the same ID.
	ID      string       `json:"id"`
	Trigger EventTrigger `json:"trigger"`
	SKU     string       `json:"sku"`
	// FulfillmentChannel is the fulfillment channel (warehouse) whose level changed; it
	// selects the InventorySyncs, hence the channel locations, the event is pushed to.
	FulfillmentChannel string `json:"fulfillmentChannel"`
	// Increment is the change, negative to remove.
	Increment *int64 `json:"increment,omitempty"`
	// QuantityBefore and QuantityAfter, the warehouse's level before and after the event,
	// may replace or accompany Increment on any trigger; an API bulk update needs them to
	// push an absolute value, and a location with allocation rules to be written at all.
	QuantityBefore *int64 `json:"quantityBefore,omitempty"`
	QuantityAfter  *int64 `json:"quantityAfter,omitempty"`
	// SalesChannel is, for AllocateOrder, the name of the SalesChannel the order came from.
	SalesChannel string `json:"salesChannel,omitempty"`
	// Sequence orders the levels of a fulfillment channel's SKU (a stock ledger number, say):
	// it grows with each level, and a level older than the newest the relay recorded is
	// superseded and written nowhere. It needs quantityAfter.
	Sequence *int64 `json:"sequence,omitempty"`
	// OccurredAt is when the change happened in the OMS; an event that takes stock out is
	// kept as a reservation from then (from when the relay took it, without one), which a
	// full sync subtracts from a feed read before.
	OccurredAt *time.Time `json:"occurredAt,omitempty"`

	// malformed says why the event's JSON could not be decoded.
	malformed string
}

// Validate reports what is wrong with an event, or nil.
func (e *Event) Validate() error {
	switch {
	case e.malformed != "":
		return fmt.Errorf("not a valid event: %s", e.malformed)
	case !utf8.ValidString(e.ID) || !utf8.ValidString(e.SKU) || !utf8.ValidString(e.FulfillmentChannel) || !utf8.ValidString(e.SalesChannel):
		// JSON carries only UTF-8: such an event could not be reported back as it came.
		return fmt.Errorf("id, sku and channel names must be UTF-8")
	case e.ID == "":
		return fmt.Errorf("id is required")
	case len(e.ID) > MaxEventIDLength:
		return fmt.Errorf("id is longer than %d bytes", MaxEventIDLength)
	case e.SKU == "" || strings.TrimSpace(e.SKU) != e.SKU:
		return fmt.Errorf("sku is required, without surrounding spaces")
	case len(e.SKU) > MaxSKULength:
		return fmt.Errorf("sku is longer than %d bytes", MaxSKULength)
	case e.FulfillmentChannel == "":
		return fmt.Errorf("fulfillmentChannel is required")
	case len(e.FulfillmentChannel) > MaxNameLength || len(e.SalesChannel) > MaxNameLength:
		return fmt.Errorf("channel names are at most %d bytes", MaxNameLength)
	}
	known := false
	for _, t := range EventTriggers {
		known = known || t == e.Trigger
	}
	if !known {
		return fmt.Errorf("trigger %q is not one of %s", e.Trigger, joinTriggers())
	}
	if e.Trigger == TriggerAllocateOrder && e.SalesChannel == "" {
		return fmt.Errorf("salesChannel is required for AllocateOrder: the channel the order came from")
	}
	hasLevels := e.QuantityBefore != nil || e.QuantityAfter != nil
	switch {
	case hasLevels && (e.QuantityBefore == nil || e.QuantityAfter == nil):
		return fmt.Errorf("quantityBefore and quantityAfter go together")
	case !hasLevels && e.Increment == nil:
		return fmt.Errorf("increment, or quantityBefore and quantityAfter, is required")
	case e.Sequence != nil && !hasLevels:
		return fmt.Errorf("sequence orders levels: it needs quantityBefore and quantityAfter")
	case e.Sequence != nil && *e.Sequence < 0:
		return fmt.Errorf("sequence must not be negative")
	}
	return e.validateQuantities()
}

// validateQuantities keeps every quantity of the event, and the increment its levels imply,
// within ±channel.MaxQuantity, so no sum the relay computes can overflow.
func (e *Event) validateQuantities() error {
	if e.Increment != nil {
		if err := channel.CheckQuantity("increment", *e.Increment); err != nil {
			return err
		}
	}
	if e.QuantityBefore == nil {
		return nil
	}
	if err := channel.CheckQuantity("quantityBefore", *e.QuantityBefore); err != nil {
		return err
	}
	if err := channel.CheckQuantity("quantityAfter", *e.QuantityAfter); err != nil {
		return err
	}
	diff, ok := channel.AddQuantities(*e.QuantityAfter, -*e.QuantityBefore)
	if !ok {
		return fmt.Errorf("quantityAfter - quantityBefore is out of range: quantities are bounded by ±%d", channel.MaxQuantity)
	}
	if e.Increment != nil && *e.Increment != diff {
		return fmt.Errorf("increment %d disagrees with quantityAfter - quantityBefore = %d", *e.Increment, diff)
	}
	return nil
}

func joinTriggers() string {
	names := make([]string, len(EventTriggers))
	for i, t := range EventTriggers {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// Delta is the event's change. Call it on a valid event only.
func (e *Event) Delta() int64 {
	if e.Increment != nil {
		return *e.Increment
	}
	return *e.QuantityAfter - *e.QuantityBefore
}

// PolicyTrigger is the row of the trigger table the event falls in for the sales channel
// named salesChannel.
func (e *Event) PolicyTrigger(salesChannel string) policy.Trigger {
	if e.Trigger == TriggerAllocateOrder {
		if e.SalesChannel == salesChannel {
			return policy.AllocateOrderSameChannel
		}
		return policy.AllocateOrderOtherChannel
	}
	return policy.Trigger(e.Trigger)
}

// digest identifies the event's content, so an id reused for a different event is caught.
func (e *Event) digest() [sha256.Size]byte {
	h := sha256.New()
	var num [8]byte
	str := func(s string) {
		binary.BigEndian.PutUint64(num[:], uint64(len(s)))
		h.Write(num[:])
		h.Write([]byte(s))
	}
	opt := func(v *int64) {
		if v == nil {
			h.Write([]byte{0})
			return
		}
		h.Write([]byte{1})
		binary.BigEndian.PutUint64(num[:], uint64(*v))
		h.Write(num[:])
	}
	str(e.ID)
	str(string(e.Trigger))
	str(e.SKU)
	str(e.FulfillmentChannel)
	str(e.SalesChannel)
	opt(e.Increment)
	opt(e.QuantityBefore)
	opt(e.QuantityAfter)
	opt(e.Sequence)
	// Written only when set, so the digests of events without it are unchanged.
	if e.OccurredAt != nil {
		str("occurredAt")
		str(e.OccurredAt.UTC().Format(time.RFC3339Nano))
	}
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}
