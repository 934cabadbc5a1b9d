// Package relay is the real-time path of inventory synchronization: an HTTP service the order
// management system calls with inventory events (receipts, manual adjustments, order
// allocations, cancellations, API updates). For every sales channel in scope it asks the
// trigger table (package policy) whether the event pushes, and how, under the channel's
// effective mode; it finds where to write through the InventorySyncs that connect the event's
// fulfillment channel to that sales channel; and it pushes through the same connectors as the
// sync role.
//
// Events bound for one channel location are queued on a lane: one connector, one worker that
// coalesces whatever is queued into Write calls of up to MaxBatch changes, paced by the
// connector. A request is answered once the channels have acknowledged its events, with one
// result per event and channel location.
//
// Each (event id, channel location) pair is applied at most once while the process remembers
// it (see Ledger); docs/relay.md states the guarantee and its limits.
package relay
