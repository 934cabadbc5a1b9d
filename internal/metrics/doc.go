// Package metrics defines the operator's Prometheus metrics: what the manager reports of
// SalesChannels and InventorySyncs, and what the relay reports of the events it pushes. Every
// name carries the prefix inventory_operator_; labels name objects, triggers and outcomes,
// never SKUs, so a series count grows with the objects, not the catalog.
package metrics
