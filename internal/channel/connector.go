// Package channel defines what the sync and relay roles need from a sales channel: read the
// items it shows for some SKUs at a location, and write quantities to them. Each platform
// (Shopify, Webhook) implements Connector in a package of its own.
package channel

import (
	"context"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// Item is one sellable item on a channel at the connector's location, with what it shows.
// Several items can share a SKU (duplicate SKUs).
type Item struct {
	// ID is the channel's id of the item, for Shopify an InventoryItem GID.
	ID string
	// SKU is the item's SKU as the channel shows it.
	SKU string
	// Quantity is the quantity the channel shows at the location, of the name the connector
	// was configured with (Shopify: available or on_hand).
	Quantity int64
	// Untracked is set for an item whose inventory the channel does not count (Shopify's
	// tracked: false): a quantity written to it changes nothing that is sold.
	Untracked bool
	// NotStocked is set for an item with no inventory level at the location; Quantity is 0.
	NotStocked bool
	// NativeBundle is set for an item whose stock the channel computes from components
	// itself (a Shopify variant with requiresComponents): it refuses writes, so none is sent.
	NativeBundle bool
}

// Change is one quantity to write to one item.
type Change struct {
	ItemID string
	SKU    string
	// LocationID is the location to write, for a connector that writes several locations
	// of one store in a call (Shopify); empty means the connector's own location.
	LocationID string `json:",omitempty"`
	// Quantity is the value to set (Absolute) or the amount to add, negative to remove
	// (Incremental).
	Quantity int64
	// CompareQuantity, when set, is the quantity the item must still show for the write to
	// apply (compare-and-swap); otherwise the item's result is Stale and nothing changes.
	CompareQuantity *int64
	// Stock asks the connector to stock the item at the location before writing, for an
	// item read as NotStocked.
	Stock bool
}

// Outcome is what became of one Change.
type Outcome int

const (
	// Applied: the channel acknowledged the change.
	Applied Outcome = iota
	// Stale: the item no longer showed CompareQuantity; nothing was written. Re-read and retry.
	Stale
	// Failed: the channel refused the change; Reason says why.
	Failed
)

func (o Outcome) String() string {
	switch o {
	case Applied:
		return "Applied"
	case Stale:
		return "Stale"
	default:
		return "Failed"
	}
}

// ChangeResult is the outcome of the Change at the same index of a Write call.
type ChangeResult struct {
	Outcome Outcome
	Reason  string
}

// Connector reads and writes one sales channel at one location.
type Connector interface {
	// Items calls fn for every item on the channel whose SKU is in skus (every item when skus
	// is nil), in no particular order. It streams so a catalog of a million items never has
	// to be held twice.
	Items(ctx context.Context, skus []string, fn func(Item) error) error

	// Write applies changes, at most MaxBatch of them, as absolute values or increments, in
	// as few calls as the platform allows. key identifies this write: a retried Write with the
	// same key and changes is applied once. It returns one result per change, in order. An
	// error is either a *RefusedError (the channel answered and applied none of the changes)
	// or an unknown outcome (nothing can be assumed applied or not).
	Write(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []Change) ([]ChangeResult, error)

	// MaxBatch is the most changes one Write takes.
	MaxBatch() int
}
