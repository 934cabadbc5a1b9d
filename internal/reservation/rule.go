// Package reservation holds the rule by which a full sync subtracts the stock that left a
// fulfillment channel after its feed's snapshot: orders allocated, and other events that
// took stock out, which the relay accepted and the feed does not count yet.
package reservation

import "time"

// Entry is one accepted event's units taken out of a SKU, as the relay serves it.
type Entry struct {
	EventID string `json:"eventID"`
	SKU     string `json:"sku"`
	Units   int64  `json:"units"`
	// SalesChannel is the channel an order came from; empty for other events.
	SalesChannel string    `json:"salesChannel,omitempty"`
	OccurredAt   time.Time `json:"occurredAt"`
}

// List is the relay's answer to a read of a fulfillment channel's reservations.
type List struct {
	Reservations []Entry `json:"reservations"`
}

// Path is where the relay serves a fulfillment channel's reservations:
// GET Path?fulfillmentChannel=NAME&since=RFC3339&reader=NS/NAME answers a List of those
// after since.
const Path = "/v1/reservations"

// ReaderParam names the reader of a read: the InventorySync, as namespace/name. The relay
// keeps the reservations it does not count yet; 409 Conflict says those after since were
// dropped, every reader having read a newer feed.
const ReaderParam = "reader"

// Reserved is the units per SKU to subtract from a feed's levels.
type Reserved map[string]int64

// Units is the total of every SKU's reserved units.
func (r Reserved) Units() int64 {
	var n int64
	for _, u := range r {
		n += u
	}
	return n
}

// Scope says which entries count for one sales channel location.
type Scope struct {
	// Snapshot is when the feed's levels were true: entries at or before it are in them.
	Snapshot time.Time
	// SalesChannel is the channel written to.
	SalesChannel string
	// OnHand says the channel is written its on-hand quantity: it subtracts its own
	// committed units, so its own orders do not count again.
	OnHand bool
}

// Counts says whether an entry is subtracted in scope.
func (s Scope) Counts(e Entry) bool {
	if e.Units <= 0 || !e.OccurredAt.After(s.Snapshot) {
		return false
	}
	ownOrder := e.SalesChannel != "" && e.SalesChannel == s.SalesChannel
	return !s.OnHand || !ownOrder
}

// Tally is the reservations that count for one channel location.
type Tally struct {
	// Counted is the units per SKU subtracted from the feed's levels.
	Counted Reserved
	// Own is the units per SKU of the written channel's own orders after the snapshot,
	// counted or not: they explain units the channel sold while a run wrote it.
	Own Reserved
}

// Sum tallies the entries in scope per SKU, each event once.
func Sum(entries []Entry, scope Scope) Tally {
	out := Tally{Counted: Reserved{}, Own: Reserved{}}
	seen := make(map[[2]string]bool, len(entries))
	for _, e := range entries {
		k := [2]string{e.EventID, e.SKU}
		if seen[k] || e.Units <= 0 || !e.OccurredAt.After(scope.Snapshot) {
			continue
		}
		seen[k] = true
		if scope.Counts(e) {
			out.Counted[e.SKU] += e.Units
		}
		if e.SalesChannel != "" && e.SalesChannel == scope.SalesChannel {
			out.Own[e.SKU] += e.Units
		}
	}
	return out
}

// Target is what a full sync targets for a SKU whose feed level is level and of which
// reserved units left after the feed's snapshot: never above the level, never below zero.
func Target(level, reserved int64) int64 {
	if reserved <= 0 {
		return level
	}
	if reserved >= level {
		return 0
	}
	return level - reserved
}

// AfterStale is the target of an item whose compare-and-swap write found the channel
// moved: retarget is its target with the reservations read again, sold the units the
// channel lost between the run's read and now, and ownSince the units of the channel's own
// orders that reached the ledger meanwhile. Units sold that those orders do not explain
// were sold on the channel after the feed's snapshot and are not in any reservation yet:
// they stay sold.
func AfterStale(retarget, sold, ownSince int64) int64 {
	unexplained := max(0, sold-max(0, ownSince))
	return max(0, retarget-unexplained)
}
