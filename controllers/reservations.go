package controllers

import (
	"context"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// observeReservations blocks a sync that asks for reservations when the manager has no
// relay to send its pods to, or its token's Secret key is missing.
func (r *InventorySyncReconciler) observeReservations(ctx context.Context, o *syncObservation) error {
	res := o.sync.Spec.Reservations
	if res == nil {
		return nil
	}
	if r.Relay.URL == "" {
		o.block(specProblem(v1alpha1.ReasonRelayNotConfigured,
			"spec.reservations needs the relay: start the manager with --relay-url (the relay's Service URL), or remove spec.reservations"))
		return nil
	}
	token, err := r.SecretKeys.check(ctx, o.sync.Namespace, res.TokenSecretRef, "relay token of spec.reservations")
	if err != nil {
		return err
	}
	o.block(token)
	return nil
}
