package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SalesChannelSpec is one sales channel: how to reach it and which inventory changes it receives.
// +kubebuilder:validation:XValidation:rule="self.platform == 'Shopify' || !has(self.connection.plan)",message="connection.plan applies only to platform Shopify"
type SalesChannelSpec struct {
	// Platform picks the connector: Shopify (Admin GraphQL API) or Webhook (signed JSON
	// batches over HTTP, see docs/webhook-channel.md).
	// +required
	Platform Platform `json:"platform"`

	// Connection says where the channel is and how to authenticate.
	// +required
	Connection ChannelConnection `json:"connection"`

	// Inventory says which inventory changes the channel receives.
	// +required
	Inventory InventoryPolicy `json:"inventory"`
}

// ChannelConnection locates a channel and its credentials.
type ChannelConnection struct {
	// URL is the channel's base URL, for Shopify the store's https://<shop>.myshopify.com.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && (url(self).getScheme() == 'https' || url(self).getScheme() == 'http')",message="url must be an absolute http or https URL"
	// +kubebuilder:validation:XValidation:rule="!self.contains('$(')",message="url must not contain '$(': a reference such as $(VAR) is never expanded"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^[^:/?#]+://[^/?#]*@')",message="url must not carry user info (user:password@): a credential belongs in a Secret"
	URL string `json:"url"`

	// CredentialsSecretRef names the key of a Secret in the channel's namespace holding the
	// credential: the Shopify Admin API access token, or the Webhook signing secret.
	// +required
	CredentialsSecretRef SecretKeySelector `json:"credentialsSecretRef"`

	// Plan is the Shopify subscription plan, which sets the API rate limit syncs pace
	// themselves to. Shopify only; defaults to Standard.
	// +optional
	Plan Plan `json:"plan,omitempty"`
}

// SecretKeySelector names one key of a Secret in the object's namespace.
type SecretKeySelector struct {
	// Name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Key in the Secret's data.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// InventoryPolicy is a channel's inventory synchronization setting.
type InventoryPolicy struct {
	// Mode says which changes are pushed: DoNotSynchronize (only sales-channel manual
	// syncs), RealTimeAdjustment (increments as they occur) or
	// SynchronizeWithFulfillmentChannel (full values, scheduled or manual).
	// +required
	Mode InventoryMode `json:"mode"`

	// DuplicateSKUs says what happens to channel items that share a SKU: Skip leaves them
	// untouched; UpdateAll gives every one of them the value, which can oversell, and forces
	// the effective mode to SynchronizeWithFulfillmentChannel. Only Shopify supports it.
	// +optional
	// +kubebuilder:default=Skip
	DuplicateSKUs DuplicateSKUPolicy `json:"duplicateSKUs,omitempty"`

	// QuantityName is the inventory quantity scheduled runs, manual runs and the relay read
	// and write: available (the default, what can be sold now) or on_hand (the physical
	// stock, right for a warehouse feed: writing it leaves the units committed to open
	// orders to Shopify). Only Shopify supports it.
	// +optional
	// +kubebuilder:default=available
	QuantityName QuantityName `json:"quantityName,omitempty"`

	// StockUnstockedItems lets writes stock an item that has no inventory level at the
	// location (Shopify's inventoryActivate) before setting its quantity. Without it such
	// items are counted notStocked and left alone. Only Shopify supports it.
	// +optional
	StockUnstockedItems bool `json:"stockUnstockedItems,omitempty"`

	// Allocation holds stock back from the channel: scheduled runs, manual runs, plans and
	// the relay write what the rules leave of the fulfillment level, not the level itself. An
	// InventorySync may replace them with its own spec.allocation.
	// +optional
	Allocation *AllocationRules `json:"allocation,omitempty"`

	// Mapping says which warehouse SKUs each channel SKU is made of (aliases, kits), for
	// every InventorySync of the channel; an InventorySync may replace it with its own
	// spec.mapping. Without it, a warehouse SKU goes to the channel items of the same SKU.
	// +optional
	Mapping *CatalogMapping `json:"mapping,omitempty"`
}

// Quantity is the quantity name in effect: QuantityName, available when unset.
func (p InventoryPolicy) Quantity() QuantityName {
	if p.QuantityName == "" {
		return QuantityAvailable
	}
	return p.QuantityName
}

// SalesChannelStatus is what the manager observed of a SalesChannel.
type SalesChannelStatus struct {
	// ObservedGeneration is the generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// EffectiveMode is the mode that applies once the duplicate-SKU rule is applied.
	// +optional
	EffectiveMode InventoryMode `json:"effectiveMode,omitempty"`

	// LastHandledSyncRequest is the last sync-requested-at token acted on.
	// +optional
	LastHandledSyncRequest string `json:"lastHandledSyncRequest,omitempty"`

	// Conditions: Ready, ModeOverridden, DuplicateSKUsUnsupported, and Reconciling while the
	// manager retries a failed reconcile. A SalesChannel is never Stalled: whatever keeps it
	// from Ready (its Secret, its key) clears by itself when it appears.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// SalesChannel is one sales channel (a Shopify store, a webhook channel) and the inventory
// synchronization it receives.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=salesch;sch,categories=inventory
// +kubebuilder:printcolumn:name="Platform",type=string,JSONPath=`.spec.platform`
// +kubebuilder:printcolumn:name="Mode",type=string,JSONPath=`.spec.inventory.mode`
// +kubebuilder:printcolumn:name="Effective Mode",type=string,JSONPath=`.status.effectiveMode`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Quantity",type=string,JSONPath=`.spec.inventory.quantityName`,priority=1
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type SalesChannel struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec SalesChannelSpec `json:"spec"`
	// +optional
	Status SalesChannelStatus `json:"status,omitempty"`
}

// SalesChannelList is a list of SalesChannels.
// +kubebuilder:object:root=true
type SalesChannelList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []SalesChannel `json:"items"`
}

func init() {
	SchemeBuilder.Register(&SalesChannel{}, &SalesChannelList{})
}
