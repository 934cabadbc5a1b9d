package v1alpha1

import "github.com/techoms/inventory-operator/internal/allocation"

// AllocationRules decide how much of the fulfillment level a sales channel shows, since the
// channel's number is a promise to sell. They apply in this order: threshold, buffer,
// percentage, maximum (see docs/allocation.md for a worked example of each).
// +kubebuilder:validation:MinProperties=1
type AllocationRules struct {
	// Threshold: while the fulfillment level is below it, the channel shows 0 (the channel
	// stops selling before the warehouse runs out).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000000000
	Threshold *int64 `json:"threshold,omitempty"`

	// Buffer is the number of units held back: the channel shows the level minus the buffer,
	// never below 0.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000000000
	Buffer *int64 `json:"buffer,omitempty"`

	// Percentage of what remains after the buffer the channel shows, rounded down.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	Percentage *int64 `json:"percentage,omitempty"`

	// Maximum the channel shows, however much the warehouse holds.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000000000
	Maximum *int64 `json:"maximum,omitempty"`
}

// Rules are a as the allocation package applies them; nil rules show the level as it is.
func (a *AllocationRules) Rules() allocation.Rules {
	if a == nil {
		return allocation.Rules{}
	}
	r := allocation.Rules{Percent: a.Percentage, Maximum: a.Maximum}
	if a.Threshold != nil {
		r.Threshold = *a.Threshold
	}
	if a.Buffer != nil {
		r.Buffer = *a.Buffer
	}
	return r
}

// EffectiveAllocation is the allocation rules a sync's writes follow: the InventorySync's own
// when it sets them (they replace the channel's as a whole), else the SalesChannel's.
func EffectiveAllocation(sync *InventorySync, ch *SalesChannel) *AllocationRules {
	if sync != nil && sync.Spec.Allocation != nil {
		return sync.Spec.Allocation
	}
	if ch != nil {
		return ch.Spec.Inventory.Allocation
	}
	return nil
}
