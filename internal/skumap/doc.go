// Package skumap turns a fulfillment feed's levels, counted per warehouse SKU, into the levels
// a sales channel shows per channel SKU, under a catalog mapping: rows of (channel SKU,
// warehouse SKU, quantity per unit).
//
// One row with quantity 1 is an alias: the channel SKU shows its warehouse SKU's level. Rows
// sharing a channel SKU make a kit (a single row with a larger quantity is a pack): the kit
// shows min over its components of floor(level / quantity), so selling every unit the
// channel shows never needs more of a component than the warehouse holds. A warehouse SKU
// no row names, as channel or warehouse SKU, shows under its own SKU, unless the mapping
// skips unmapped SKUs. Allocation rules apply afterwards, to what each channel SKU shows.
//
// It imports no Kubernetes code: the sync role, the manager's validation and the tests share
// it.
package skumap
