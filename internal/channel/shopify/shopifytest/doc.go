// Package shopifytest is an in-memory Shopify store serving the part of the Admin GraphQL API
// (version 2026-10) an inventory sync uses, with Shopify's response, error and cost shapes, so
// a connector can be tested, benchmarked and demonstrated without a real shop.
//
// # Endpoint
//
// POST {URL}/admin/api/2026-10/graphql.json with header X-Shopify-Access-Token. A wrong token
// gets HTTP 401 with Shopify's body. Every document, and every bulk query, is parsed and
// validated against the real schema (package shopifyschema), variables included; an invalid
// one gets {"errors":[{"message":...}]} and is recorded: tests call AssertNoErrors (or read
// InvalidDocuments and Unsupported) to prove the client only sends what Shopify accepts.
// A variable Int outside 32 bits (Shopify's Int is 32-bit) gets the same top-level error
// shape, "Variable $input of type ... was provided invalid value for changes.1.delta (Could
// not coerce value 3000000000 to Int)", and nothing runs; it is a value, not a document, the
// client got wrong, so it is not recorded.
// Fields the schema has but the fake does not serve answer with an error and are recorded
// under Unsupported.
//
// # Served
//
//   - productVariants, inventoryItems (first/after pagination up to 250, opaque cursors,
//     nodes and edges, pageInfo; query filter `sku:A OR sku:B ...`, exact match, quoted
//     values and backslash escapes allowed), productVariant, inventoryItem, product,
//     location, locations, node(id:).
//   - ProductVariant { id sku title displayName inventoryQuantity product inventoryItem
//     requiresComponents },
//     InventoryItem { id sku tracked duplicateSkuCount inventoryLevel(locationId:
//     includeInactive:) inventoryLevels(includeInactive:) }, InventoryLevel { id isActive item
//     location quantities(names:) }, InventoryQuantity { name quantity }. The fake keeps only
//     "available"; it has no commitments, so "on_hand" equals it and the other states read 0.
//     As since 2026-04, a deactivated level (DeactivateLevel) keeps its quantities, takes
//     writes like an active one, and is returned only with includeInactive: true, isActive
//     false.
//   - inventorySetQuantities and inventoryAdjustQuantities (name "available" or "on_hand"; an
//     adjustment of on_hand needs a ledgerDocumentUri, one for all changes, not a
//     gid://shopify/ one: INVALID_QUANTITY_DOCUMENT, INTERNAL_LEDGER_DOCUMENT,
//     MAX_ONE_LEDGER_DOCUMENT; available refuses one: INVALID_AVAILABLE_DOCUMENT). A
//     referenceDocumentUri must be a URI with a scheme and content, a gid with app, type and
//     id (INVALID_REFERENCE_DOCUMENT); the history keeps it (History). As since 2026-04:
//     @idempotent(key:) is required (missing: an error with extensions.code BAD_REQUEST);
//     every entry must pass changeFromQuantity, null to skip the compare-and-swap (missing:
//     userError, code COMPARE_QUANTITY_REQUIRED for set, none for adjust). As in 2026-10,
//     an item not stocked at the location can be written (ITEM_NOT_STOCKED_AT_LOCATION is
//     gone): the quantity is kept but the item stays unstocked, its inventoryLevel null. A
//     call is all or nothing: any userError (CHANGE_FROM_QUANTITY_STALE,
//     INVALID_INVENTORY_ITEM, INVALID_LOCATION, NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR,
//     INVALID_REASON, ...) applies nothing and returns inventoryAdjustmentGroup null, each
//     userError's field pointing at the entry, e.g. ["input","quantities","3",
//     "changeFromQuantity"] (OmitUserErrorFields sends field null, which the schema allows).
//     More than 250 entries is a top-level MAX_INPUT_SIZE_EXCEEDED error. A successful call
//     returns the group with an "available" and an "on_hand" change per entry. Reusing a key
//     with the same mutation and input returns the first outcome (applied or not) without
//     applying again; with another input it returns IDEMPOTENCY_KEY_PARAMETER_MISMATCH; a key
//     whose request failed inside the shop (FailKeyedRequests) returns
//     IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED for ever. AnswerTransient makes mutations answer the
//     "try again" codes their error enum has (ADJUST_QUANTITIES_FAILED, SERVICE_UNAVAILABLE,
//     IDEMPOTENCY_CONCURRENT_REQUEST), applying nothing.
//   - inventoryActivate (@idempotent required): stocks an item at a location, or activates
//     its deactivated level, with the available or onHand given, else keeping the quantity
//     the level held or that was written while it was unstocked. Its UserError has no code:
//     idempotency errors come as their message alone.
//   - InventoryItem.tracked follows SetTracked; an untracked item's quantities can be written.
//   - bulkOperationRunQuery(query:): the inner query is validated; it must have one root
//     connection, at most 5 connections nested at most 2 deep. The operation runs in the
//     background (CREATED, RUNNING, COMPLETED or FAILED) and is read with bulkOperation(id:),
//     node(id:) or the deprecated currentBulkOperation. The result is JSONL served by the
//     fake at url, signed like Shopify's storage URLs (no token needed; a missing or altered
//     X-Goog-Signature gets 403): a line per node of the root connection, each followed
//     by the nodes of its nested connections (e.g. InventoryItem.inventoryLevels) with
//     __parentId. url is null when nothing matched. Bulk reads do not spend the bucket; only
//     the run mutation does. As since 2026-01, at most five bulk queries and, apart, five bulk
//     mutations run at once per shop (OccupyBulkOperations holds some of a kind); starting a
//     sixth of a kind gets the user error LIMIT_REACHED. currentBulkOperation(type:) answers
//     per kind.
//   - Bulk mutations: stagedUploadsCreate for BULK_MUTATION_VARIABLES gives a target on the
//     fake taking a multipart POST (its key parameter is the stagedUploadPath, files up to
//     100 MB); bulkOperationRunMutation(mutation:, stagedUploadPath:) checks the mutation
//     (INVALID_MUTATION) and the file (NO_SUCH_FILE) and starts a MUTATION operation, which
//     applies no line (how Shopify applies them is not documented) and runs until
//     bulkOperationCancel cancels it.
//
// # Cost and rate limit
//
// Requested cost is computed from the document before it runs: scalars and enums 0, objects
// 1, connections 2 plus first (or last) times the cost of one node (the node object 1 plus
// what it selects; pageInfo and edges are free), each mutation field 10 whatever its payload
// selects. Fragments are summed, not maximised over types. A query requesting more than 1,000
// gets MAX_COST_EXCEEDED; a page of productVariants selecting inventoryItem { inventoryLevel {
// quantities } } costs 2 + 4 per node, so take at most 249 per page. The actual cost counts
// the objects returned the same way and the difference is refunded.
//
// Each shop has a leaky bucket by plan holding twenty seconds of restore: Standard 2,000
// points restoring 100/s, Advanced 4,000/200, Plus 20,000/1,000, Enterprise 40,000/2,000.
// A request whose requested cost exceeds what is available gets HTTP 200 with errors
// [{message "Throttled", extensions {code THROTTLED}}] and nothing is applied. Every
// response carries extensions.cost { requestedQueryCost actualQueryCost throttleStatus
// { maximumAvailable currentlyAvailable restoreRate } }. Options.Now drives the bucket, so
// tests control refills.
//
// # Seeding, faults and counters
//
// AddLocation, AddVariant, SetAvailable, SetTracked, Available, Stocked, InventoryItemGIDs and
// SeedSKUs (a million SKUs in seconds) fill the shop; DeactivateLevel and Active handle
// inactive levels; SetNonMutable makes an item one the API may not adjust
// (NON_MUTABLE_INVENTORY_ITEM), and SetBundle a bundle's parent variant (requiresComponents
// true) whose item it may not adjust either. FailNext, FailKeyedRequests, AnswerTransient, SetLatency, MakeStale,
// OmitUserErrorFields, OccupyBulkOperations, OnRequest and CutBulkDownloads inject failures
// and concurrent changes; History lists the applied
// inventory mutations. Stats counts requests, calls by
// root field, throttled requests, points spent and items written.
package shopifytest
