package channel

// MaxItemsPerSKU is the most items one SKU may have on a channel in an item lookup: a store's
// duplicate SKUs are a handful. A connector stops a lookup that goes beyond it, and bounds its
// pages by it, so that whatever a server behind a channel URL answers, a lookup costs a sync
// pod or the relay a bounded amount of memory and time.
const MaxItemsPerSKU = 100
