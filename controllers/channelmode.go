package controllers

import (
	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/policy"
)

// effectiveMode applies the duplicate-SKU rule to a channel's spec.
func effectiveMode(ch *v1alpha1.SalesChannel) (v1alpha1.InventoryMode, bool) {
	mode, overridden := policy.EffectiveMode(policy.Mode(ch.Spec.Inventory.Mode), policy.DuplicateSKUs(ch.Spec.Inventory.DuplicateSKUs))
	return v1alpha1.InventoryMode(mode), overridden
}

// decide is the trigger table for a channel, under its effective mode.
func decide(ch *v1alpha1.SalesChannel, t policy.Trigger) policy.Push {
	mode, _ := effectiveMode(ch)
	return policy.Decide(policy.Mode(mode), t)
}
