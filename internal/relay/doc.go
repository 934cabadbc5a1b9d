// Package relay is the real-time path of inventory synchronization: an HTTP service the order
// management system calls with inventory events (receipts, manual adjustments, order
// allocations, cancellations, API updates). For every sales channel in scope it asks the
// trigger table (package policy) whether the event pushes, and how, under the channel's
// effective mode; it finds where to write through the InventorySyncs that connect the event's
// fulfillment channel to that sales channel; and it pushes through the same connectors as the
// sync role.
//
// Events bound for one writer (a Shopify store, a webhook channel location) are queued on a
// lane, run by the replica holding its lease in the ledger: a connector per location and
// callers that coalesce whatever is queued into Write calls of up to MaxBatch changes, paced
// by the connector; a store's lane has several callers, never two on one item at one
// location. A request is answered once the channels have acknowledged its events, with one
// result per event and channel location.
//
// Each accepted (event id, channel location) pair is applied exactly once or reported, across
// replicas and crashes (see package ledger); docs/relay.md states the guarantee and its
// limits.
package relay
