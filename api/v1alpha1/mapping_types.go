package v1alpha1

// CatalogMapping says which warehouse SKUs each channel SKU is made of: rows of (channel SKU,
// warehouse SKU, quantity per unit). One row with quantity 1 is an alias; several rows for a
// channel SKU make a kit, which shows min over its components of floor(level / quantity).
// See docs/mapping.md.
type CatalogMapping struct {
	// ConfigMapRef names the key of a ConfigMap in the object's namespace holding the rows as
	// CSV, with the header channelSKU,warehouseSKU,quantity. The sync pods mount it read-only.
	// +required
	ConfigMapRef ConfigMapKeySelector `json:"configMapRef"`

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

// MappingStatus is the catalog mapping a sync uses, as the manager last validated it.
type MappingStatus struct {
	// Source is where the rows come from: ConfigMap <name>, key <key>.
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
	WarehouseSKUs int64 `json:"warehouseSKUs"`
	Kits          int64 `json:"kits"`
	Aliases       int64 `json:"aliases"`
	// Unmapped warehouse SKUs were shown under their own SKU.
	Unmapped int64 `json:"unmapped"`
	// SkippedUnmapped warehouse SKUs were left out (unmapped: Skip); they are not in read.
	// +optional
	SkippedUnmapped int64 `json:"skippedUnmapped,omitempty"`
}
