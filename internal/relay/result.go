package relay

import "github.com/techoms/inventory-operator/internal/policy"

// Status is what became of one event on one channel location.
type Status string

const (
	// StatusPushed: the channel acknowledged the change (now, or earlier for a retried event).
	StatusPushed Status = "Pushed"
	// StatusNotApplicable: nothing is pushed there; Reason says why.
	StatusNotApplicable Status = "NotApplicable"
	// StatusFailed: the push did not happen, or its outcome is unknown; Reason says which.
	StatusFailed Status = "Failed"
	// StatusAccepted: the ledger holds the event for that channel and it will be applied
	// once, but the channel had not answered when the relay had to; GET /v1/events/{id}
	// tells the outcome later.
	StatusAccepted Status = "Accepted"
	// StatusThrottled: the relay did not take the event for that channel; send it again
	// after Retry-After.
	StatusThrottled Status = "Throttled"
)

// Reasons, one CamelCase word each.
const (
	ReasonModeDoesNotPush      = "ModeDoesNotPush"
	ReasonSameChannelOrder     = "SameChannelOrder"
	ReasonNoInventorySync      = "NoInventorySync"
	ReasonInventorySyncSuspend = "InventorySyncSuspended"
	ReasonSKUNotOnChannel      = "SKUNotOnChannel"
	ReasonDuplicateSKU         = "DuplicateSKU"
	ReasonNoChange             = "NoChange"
	ReasonNoAbsoluteQuantity   = "NoAbsoluteQuantity"
	ReasonAllocationNeedsLevel = "AllocationNeedsLevel"
	ReasonSummedFeeds          = "SummedFeeds"
	ReasonSuperseded           = "Superseded"
	ReasonConcurrentChange     = "ConcurrentChange"
	ReasonChannelRefused       = "ChannelRefused"
	ReasonOutcomeUnknown       = "OutcomeUnknown"
	ReasonPartlyApplied        = "PartlyApplied"
	ReasonConfiguration        = "ConfigurationError"
	ReasonQueueFull            = "QueueFull"
	ReasonKitNeedsLevels       = "KitNeedsLevels"
	ReasonMappingFromFeed      = "MappingFromFeed"
	ReasonMappingUnavailable   = "MappingUnavailable"
	ReasonUnmappedSkipped      = "UnmappedSkipped"
	ReasonShownFromComponents  = "ShownFromComponents"
	ReasonTooManyWriters       = "TooManyWriters"
)

// ChannelResult is one event's outcome on one channel location.
type ChannelResult struct {
	SalesChannel  string `json:"salesChannel"`
	InventorySync string `json:"inventorySync,omitempty"`
	LocationID    string `json:"locationID,omitempty"`
	// SKU is the channel SKU written when a catalog mapping derives it from the event's SKU
	// (an alias or a kit); empty when it is the event's.
	SKU    string `json:"sku,omitempty"`
	Status Status `json:"status"`
	// Push is how the event was (or would have been) sent: Incremental or Absolute.
	Push policy.Push `json:"push,omitempty"`
	// Quantity is the increment or absolute value the event contributed; under allocation
	// rules, the quantity the rules leave of the event's quantityAfter, which the channel
	// location is brought to.
	Quantity *int64 `json:"quantity,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Message  string `json:"message,omitempty"`
	// Replayed says the event was applied by an earlier request and not written again.
	Replayed bool `json:"replayed,omitempty"`
}

// EventResult is the outcome of the valid event at Index of the request.
type EventResult struct {
	Index    int             `json:"index"`
	ID       string          `json:"id"`
	Channels []ChannelResult `json:"channels"`
}

// EventError says why the event at Index was refused; nothing was done with it.
type EventError struct {
	Index  int    `json:"index"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

// Request is the body of POST /v1/events.
type Request struct {
	Events []Event `json:"events"`
}

// Response is the answer to POST /v1/events: a result for every valid event and an error for
// every invalid one, in request order.
type Response struct {
	Results []EventResult `json:"results"`
	Errors  []EventError  `json:"errors,omitempty"`
	// Message explains a refusal of the whole request.
	Message string `json:"message,omitempty"`
}

// throttled says whether any channel throttled any event.
func (r *Response) throttled() bool {
	for _, er := range r.Results {
		for _, cr := range er.Channels {
			if cr.Status == StatusThrottled {
				return true
			}
		}
	}
	return false
}
