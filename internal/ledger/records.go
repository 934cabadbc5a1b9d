package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// Lane names where one writer at a time writes: a channel location, or, when Location is
// empty, a whole store whose one call writes any of its locations (a Shopify channel).
type Lane struct {
	Namespace string `json:"namespace"`
	Channel   string `json:"channel"`
	Location  string `json:"location"`
}

func (l Lane) String() string {
	if l.Location == "" {
		return l.Namespace + "/" + l.Channel
	}
	return l.Namespace + "/" + l.Channel + "@" + l.Location
}

// Key is the lane's key in the buckets: a hash, since names and location ids hold characters
// a key may not.
func (l Lane) Key() string { return hashKey(l.Namespace, l.Channel, l.Location)[:32] }

// State is where a claim stands.
type State string

const (
	// Accepted: the ledger holds the event for this channel location; it will be written
	// once, or its refusal recorded.
	Accepted State = "Accepted"
	// Settled: the outcome is known and recorded.
	Settled State = "Settled"
)

// Work is what one event asks of one channel location, fixed when it was accepted so that
// whichever replica writes it writes the same thing.
type Work struct {
	// Location is the channel location to write; on a lane of one location it is the lane's.
	Location   string                      `json:"location,omitempty"`
	SKU        string                      `json:"sku"`
	Strategy   v1alpha1.Strategy           `json:"strategy"`
	Quantity   int64                       `json:"quantity"`
	Allocated  bool                        `json:"allocated,omitempty"`
	Duplicates v1alpha1.DuplicateSKUPolicy `json:"duplicates,omitempty"`
	// FulfillmentChannel and Sequence order levels: a level older than the newest recorded
	// for the pair is superseded and written nowhere.
	FulfillmentChannel string `json:"fulfillmentChannel,omitempty"`
	Sequence           *int64 `json:"sequence,omitempty"`
	// WarehouseSKU is the event's SKU when a catalog mapping sends it to another channel SKU
	// (an alias or a kit): it names the level Sequence orders, and tells the claim apart from
	// the event's other targets at the location.
	WarehouseSKU string `json:"warehouseSKU,omitempty"`
}

// Outcome is what became of a claim, in the relay's terms.
type Outcome struct {
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Claim is one accepted event on one channel location.
type Claim struct {
	EventID    string    `json:"eventID"`
	Lane       Lane      `json:"lane"`
	Work       Work      `json:"work"`
	State      State     `json:"state"`
	Outcome    *Outcome  `json:"outcome,omitempty"`
	AcceptedAt time.Time `json:"acceptedAt"`
	SettledAt  time.Time `json:"settledAt,omitzero"`
	// WriteKey is the idempotency key of the write that applied it.
	WriteKey string `json:"writeKey,omitempty"`
}

// Key is the claim's key: its lane's, then the event's, its location's and, for a channel SKU
// a mapping derived from the event's, that SKU's; so one lane's claims share a prefix.
func (c *Claim) Key() string {
	if c.Work.WarehouseSKU != "" {
		return "c." + c.Lane.Key() + "." + hashKey(c.EventID, c.Work.Location, c.Work.SKU)[:40]
	}
	return LocationClaimKey(c.Lane, c.Work.Location, c.EventID)
}

// LevelSKU is the SKU whose levels Sequence orders: the event's.
func (w *Work) LevelSKU() string {
	if w.WarehouseSKU != "" {
		return w.WarehouseSKU
	}
	return w.SKU
}

// ClaimKey is the key of an event's claim on a lane of one location, for the event's own SKU.
func ClaimKey(l Lane, eventID string) string {
	return "c." + l.Key() + "." + hashKey(eventID)[:40]
}

// LocationClaimKey is the key of an event's claim for location on lane: one event may reach
// several locations of one store's lane.
func LocationClaimKey(l Lane, location, eventID string) string {
	if location == "" || location == l.Location {
		return ClaimKey(l, eventID)
	}
	return "c." + l.Key() + "." + hashKey(eventID, location)[:40]
}

// Event is an accepted event as a whole: its content's digest, its claims as first made, and
// the per-channel answers decided without a write, so a retry on any replica answers the same.
type Event struct {
	ID     string  `json:"id"`
	Digest string  `json:"digest"`
	Claims []Claim `json:"claims,omitempty"`
	// Answers are the relay's results for channels the event reaches without a write, kept
	// as the relay encoded them.
	Answers    json.RawMessage `json:"answers,omitempty"`
	AcceptedAt time.Time       `json:"acceptedAt"`
}

func eventKey(id string) string { return "e." + hashKey(id)[:40] }

// Intent is a write recorded before it is sent: whichever replica writes the lane next sends
// it again, with its key and changes, before anything else, unless it is older than the
// ledger's intent age.
type Intent struct {
	Key      string            `json:"key"`
	Strategy v1alpha1.Strategy `json:"strategy"`
	Changes  []channel.Change  `json:"changes"`
	// Claims are the keys of the claims the write carries; EventChanges[i] lists the indexes
	// in Changes of Claims[i]'s changes.
	Claims       []string  `json:"claims"`
	EventIDs     []string  `json:"eventIDs"`
	EventChanges [][]int   `json:"eventChanges"`
	At           time.Time `json:"at"`
	// Slot is the lane's call slot that sends the write: a lane may have several calls in
	// flight, each slot at most one, so each slot has at most one intent.
	Slot int `json:"slot,omitempty"`
}

// lease is a lane's record: who writes it until when, and the writes it has in flight, one
// per call slot.
type lease struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
	// Intent is slot 0's write in flight, where a relay that knew one slot per lane looks.
	Intent *Intent `json:"intent,omitempty"`
	// Intents are the other slots' writes in flight, by slot.
	Intents map[int]*Intent `json:"intents,omitempty"`
}

// intents is the record's writes in flight in slot order.
func (r lease) intents() []Intent {
	var out []Intent
	if r.Intent != nil {
		in := *r.Intent
		in.Slot = 0
		out = append(out, in)
	}
	for slot, in := range r.Intents {
		if in != nil && slot > 0 {
			c := *in
			c.Slot = slot
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Intent) int { return a.Slot - b.Slot })
	return out
}

// setIntent sets slot's write in flight, or clears it when in is nil; the maps of r are
// copied first, so a record whose write fails stays as it was.
func (r *lease) setIntent(slot int, in *Intent) {
	if slot == 0 {
		r.Intent = in
		return
	}
	r.Intents = maps.Clone(r.Intents)
	if in == nil {
		delete(r.Intents, slot)
		if len(r.Intents) == 0 {
			r.Intents = nil
		}
		return
	}
	if r.Intents == nil {
		r.Intents = map[int]*Intent{}
	}
	r.Intents[slot] = in
}

// level is the newest level sequence recorded for a fulfillment channel and SKU.
type level struct {
	Sequence int64  `json:"sequence"`
	EventID  string `json:"eventID"`
}

func levelKey(fulfillmentChannel, sku string) string {
	return "l." + hashKey(fulfillmentChannel, sku)[:40]
}

func hashKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		for i := range 8 {
			n[i] = byte(len(p) >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}
