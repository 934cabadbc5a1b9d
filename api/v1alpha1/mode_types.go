package v1alpha1

// InventoryMode says which inventory changes a sales channel receives.
// +kubebuilder:validation:Enum=DoNotSynchronize;RealTimeAdjustment;SynchronizeWithFulfillmentChannel
type InventoryMode string

const (
	// ModeDoNotSynchronize pushes nothing except a sales-channel manual sync.
	ModeDoNotSynchronize InventoryMode = "DoNotSynchronize"
	// ModeRealTimeAdjustment pushes increments as they occur.
	ModeRealTimeAdjustment InventoryMode = "RealTimeAdjustment"
	// ModeSynchronizeWithFulfillmentChannel pushes full values, on a schedule or manually.
	ModeSynchronizeWithFulfillmentChannel InventoryMode = "SynchronizeWithFulfillmentChannel"
)

// DuplicateSKUPolicy says what a sync does with channel items that share one SKU.
// +kubebuilder:validation:Enum=Skip;UpdateAll
type DuplicateSKUPolicy string

const (
	// DuplicateSKUsSkip leaves every item of a shared SKU untouched and counts them.
	DuplicateSKUsSkip DuplicateSKUPolicy = "Skip"
	// DuplicateSKUsUpdateAll gives every item of a shared SKU the value. It can oversell,
	// and it forces the effective mode to SynchronizeWithFulfillmentChannel.
	DuplicateSKUsUpdateAll DuplicateSKUPolicy = "UpdateAll"
)

// Platform is the kind of sales channel, which picks the connector a sync uses.
// +kubebuilder:validation:Enum=Shopify;Webhook
type Platform string

const (
	// PlatformShopify is a Shopify store, reached through the Admin GraphQL API.
	PlatformShopify Platform = "Shopify"
	// PlatformWebhook is any channel that accepts signed JSON batches over HTTP POST.
	PlatformWebhook Platform = "Webhook"
)

// Plan is a Shopify subscription plan; it sets the API rate limit a sync paces itself to.
// +kubebuilder:validation:Enum=Standard;Advanced;Plus;Enterprise
type Plan string

const (
	PlanStandard   Plan = "Standard"
	PlanAdvanced   Plan = "Advanced"
	PlanPlus       Plan = "Plus"
	PlanEnterprise Plan = "Enterprise"
)

// QuantityName is the Shopify inventory quantity a channel's writes set: available, what can
// be sold now, or on_hand, the physical stock, of which Shopify keeps the units committed to
// open orders out of available.
// +kubebuilder:validation:Enum=available;on_hand
type QuantityName string

const (
	QuantityAvailable QuantityName = "available"
	QuantityOnHand    QuantityName = "on_hand"
)

// Trigger is what caused a sync run.
type Trigger string

const (
	// TriggerFulfillmentRecurring is a scheduled run of a recurring InventorySync.
	TriggerFulfillmentRecurring Trigger = "FulfillmentChannelRecurring"
	// TriggerFulfillmentManual is a one-off InventorySync, or the sync-requested-at
	// annotation on an InventorySync.
	TriggerFulfillmentManual Trigger = "FulfillmentChannelManual"
	// TriggerSalesChannelManual is the sync-requested-at annotation on a SalesChannel.
	TriggerSalesChannelManual Trigger = "SalesChannelManual"
)

// Strategy is how a sync run writes quantities to the channel.
// +kubebuilder:validation:Enum=Absolute;Incremental
type Strategy string

const (
	// StrategyAbsolute sets each differing quantity to the fulfillment channel's value.
	StrategyAbsolute Strategy = "Absolute"
	// StrategyIncremental adjusts each differing quantity by the difference.
	StrategyIncremental Strategy = "Incremental"
)

// SyncRequestedAtAnnotation asks for a manual sync: on an InventorySync, one more run of it
// (a fulfillment-channel manual sync, gated by the mode); on a SalesChannel, one run of every
// InventorySync of that channel with full values, in every mode. Each new value is handled once.
const SyncRequestedAtAnnotation = "inventory.techoms.io/sync-requested-at"

// PlanRequestedAtAnnotation asks, on an InventorySync, for a plan: a run that reads the feeds
// and the channel, applies the duplicate-SKU policy and the allocation rules, writes nothing,
// and reports in status.lastPlan what a run would change. Each new value is handled once, in
// every mode.
const PlanRequestedAtAnnotation = "inventory.techoms.io/plan-requested-at"

// FeedFormat is the encoding of a fulfillment feed. Any of them may be gzip-compressed.
// +kubebuilder:validation:Enum=CSV;JSON;NDJSON
type FeedFormat string

const (
	// FeedFormatCSV has a header line naming the columns sku and quantity, after an optional
	// first line "# snapshotTime: <RFC 3339>".
	FeedFormatCSV FeedFormat = "CSV"
	// FeedFormatJSON is one array of {"sku": ..., "quantity": ...} objects, or an object
	// {"snapshotTime": <RFC 3339>, "levels": [...]}.
	FeedFormatJSON FeedFormat = "JSON"
	// FeedFormatNDJSON is one {"sku": ..., "quantity": ...} object a line, after an optional
	// first line {"snapshotTime": <RFC 3339>}.
	FeedFormatNDJSON FeedFormat = "NDJSON"
)
