package v1alpha1

// CatalogMapping says which warehouse SKUs each channel SKU is made of: rows of (channel SKU,
// warehouse SKU, quantity per unit). One row with quantity 1 is an alias; several rows for a
// channel SKU make a kit, which shows min over its components of floor(level / quantity).
// See docs/mapping.md.
// +kubebuilder:validation:XValidation:rule="has(self.configMapRef) != has(self.feed)",message="set exactly one of configMapRef and feed"
type CatalogMapping struct {
	// ConfigMapRef names the key of a ConfigMap in the object's namespace holding the rows as
	// CSV, with the header channelSKU,warehouseSKU,quantity. The manager validates it; the
	// sync pods mount it read-only. Up to 1 MiB, a ConfigMap's limit.
	// +optional
	ConfigMapRef *ConfigMapKeySelector `json:"configMapRef,omitempty"`

	// Feed is a URL the sync pods read the rows from, as they read a feed, for catalogs past a
	// ConfigMap's size: CSV with the header channelSKU,warehouseSKU,quantity, or JSON (an
	// array) or NDJSON of {"channelSKU", "warehouseSKU", "quantity"} objects; gzip accepted;
	// at most 64 MiB decompressed and 2,000,000 rows. The manager never fetches it: each run
	// validates it before writing anything and reports its rows.
	// +optional
	Feed *FeedSource `json:"feed,omitempty"`

	// Unmapped says what happens to a warehouse SKU no row names: Self (the default) shows
	// it under its own SKU; Skip leaves it out, so the channel gets only the rows' SKUs.
	// +optional
	// +kubebuilder:default=Self
	Unmapped UnmappedSKUs `json:"unmapped,omitempty"`
}

// ConfigMapKeySelector names one key of a ConfigMap in the object's namespace.
type ConfigMapKeySelector struct {
	// Name of the ConfigMap.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Key in the ConfigMap's data.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// UnmappedSKUs is what a mapping does with warehouse SKUs no row names.
// +kubebuilder:validation:Enum=Self;Skip
type UnmappedSKUs string

// The values match internal/skumap's, which cannot be imported here (it reads feeds, which
// import this package).
const (
	UnmappedSelf UnmappedSKUs = "Self"
	UnmappedSkip UnmappedSKUs = "Skip"
)

// EffectiveMapping is the catalog mapping a sync's runs and plans follow: the InventorySync's
// own when it sets one (it replaces the channel's as a whole), else the SalesChannel's.
func EffectiveMapping(sync *InventorySync, ch *SalesChannel) *CatalogMapping {
	if sync != nil && sync.Spec.Mapping != nil {
		return sync.Spec.Mapping
	}
	if ch != nil {
		return ch.Spec.Inventory.Mapping
	}
	return nil
}

// MappingStatus is the catalog mapping a sync uses, as the manager last validated it (a
// ConfigMap), or as the last run read it (a feed).
type MappingStatus struct {
	// Source is where the rows come from: ConfigMap <name>, key <key>; or feed <URL>, its
	// query values redacted.
	Source string `json:"source"`
	// From says whose spec names it: SalesChannel or InventorySync.
	From string `json:"from"`
	// Rows is the number of rows; zero while the mapping cannot be read or is invalid.
	// +optional
	Rows int64 `json:"rows,omitempty"`
	// Kits and Aliases count the channel SKUs the rows define.
	// +optional
	Kits int64 `json:"kits,omitempty"`
	// +optional
	Aliases int64 `json:"aliases,omitempty"`
	// Unmapped is the mapping's policy for warehouse SKUs no row names.
	// +optional
	Unmapped UnmappedSKUs `json:"unmapped,omitempty"`
}

// MappingCounts say, for a run of a sync with a mapping, where its channel SKUs came from:
// kits + aliases + unmapped = skus.read. Warehouse SKUs is what the feeds listed.
type MappingCounts struct {
	// Rows is the number of rows of the mapping the run read.
	// +optional
	Rows          int64 `json:"rows,omitempty"`
	WarehouseSKUs int64 `json:"warehouseSKUs"`
	Kits          int64 `json:"kits"`
	Aliases       int64 `json:"aliases"`
	// Unmapped warehouse SKUs were shown under their own SKU.
	Unmapped int64 `json:"unmapped"`
	// SkippedUnmapped warehouse SKUs were left out (unmapped: Skip); they are not in read.
	// +optional
	SkippedUnmapped int64 `json:"skippedUnmapped,omitempty"`
}
