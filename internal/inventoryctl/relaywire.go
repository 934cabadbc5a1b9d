package inventoryctl

import "encoding/json"

// The relay's wire format (docs/relay.md), kept here rather than imported from
// internal/relay so that the plugin does not carry the relay's ledger and connectors.
// Events go out as the user wrote them (json.RawMessage), so a field the relay adds later
// passes through unchanged.

type relayRequest struct {
	Events []json.RawMessage `json:"events"`
}

type relayResponse struct {
	Results []relayEventResult `json:"results"`
	Errors  []relayEventError  `json:"errors,omitempty"`
	Message string             `json:"message,omitempty"`
}

type relayEventResult struct {
	Index    int                  `json:"index"`
	ID       string               `json:"id"`
	Channels []relayChannelResult `json:"channels"`
}

type relayChannelResult struct {
	SalesChannel  string `json:"salesChannel"`
	InventorySync string `json:"inventorySync,omitempty"`
	LocationID    string `json:"locationID,omitempty"`
	Status        string `json:"status"`
	Push          string `json:"push,omitempty"`
	Quantity      *int64 `json:"quantity,omitempty"`
	Reason        string `json:"reason,omitempty"`
	Message       string `json:"message,omitempty"`
	Replayed      bool   `json:"replayed,omitempty"`
}

type relayEventError struct {
	Index  int    `json:"index"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

// relayEvent is one event given with flags.
type relayEvent struct {
	ID                 string `json:"id"`
	Trigger            string `json:"trigger"`
	SKU                string `json:"sku"`
	FulfillmentChannel string `json:"fulfillmentChannel"`
	Increment          *int64 `json:"increment,omitempty"`
	QuantityBefore     *int64 `json:"quantityBefore,omitempty"`
	QuantityAfter      *int64 `json:"quantityAfter,omitempty"`
	SalesChannel       string `json:"salesChannel,omitempty"`
	Sequence           *int64 `json:"sequence,omitempty"`
}

// Statuses the plugin acts on.
const (
	relayAccepted  = "Accepted"
	relayFailed    = "Failed"
	relayThrottled = "Throttled"
)

// eventTriggers are the relay's triggers, for completion and the help.
var eventTriggers = []string{"ImportInventoryLevel", "AdjustInventoryManually", "ReceiveReceipt", "AllocateOrder", "CancelShipment", "APIBulkUpdate", "APISingleRowUpdate"}
