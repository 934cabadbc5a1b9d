// Package syncrun performs one synchronization run: it reads a fulfillment channel's levels,
// reads what the sales channel shows for those SKUs, applies the duplicate-SKU policy, and
// pushes only the quantities that differ, in batches guarded by compare-and-swap and
// idempotency keys. It reports a v1alpha1.SyncResult.
//
// Counting is per SKU, never per item: every SKU of the feed lands in exactly one of
// unchanged, updated, skippedDuplicates, notFound, untracked, notStocked, nativeBundles or
// failed, so read is their sum. Items the channel does not track are never written, nor
// bundles whose stock the channel computes from their components, nor items not stocked
// at the location unless the channel stocks them. Under a catalog mapping the run maps the
// feed's warehouse SKUs to channel SKUs first (package skumap), and those are what it reads,
// compares and counts. Under the
// Skip policy a SKU shared by several channel items counts once in skippedDuplicates, however
// many items share it. Under UpdateAll a SKU is updated when every item of it that needed a
// write was applied, and failed when any of them was not.
//
// A run holds a million SKUs in a few tens of megabytes: channel items are streamed into a
// compact catalog (one string arena, parallel slices), the plan is a list of catalog
// indexes, and the changes of a batch are built only when the batch is sent.
package syncrun
