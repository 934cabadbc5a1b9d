package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ReservationsSource has a sync's runs and plans read, from the relay, the stock that
// events the relay accepted took out of the fulfillment channel after the feed's snapshot
// (orders allocated on any channel, other removals), and target the feed's level less it.
type ReservationsSource struct {
	// TokenSecretRef names a Secret key, in this namespace, holding a bearer token the relay
	// accepts. The sync pod receives it as a secretKeyRef environment variable.
	// +required
	TokenSecretRef SecretKeySelector `json:"tokenSecretRef"`
}

// ReasonRelayNotConfigured: an InventorySync asks for reservations and the manager has no
// relay URL to give its sync pods.
const ReasonRelayNotConfigured = "RelayNotConfigured"

// ReservedCounts is what a run subtracted for reservations.
type ReservedCounts struct {
	// Since is the feed's snapshot: reservations after it were subtracted.
	Since metav1.Time `json:"since"`
	// SKUs of the feed with reserved units.
	SKUs int64 `json:"skus"`
	// Units reserved over those SKUs.
	Units int64 `json:"units"`
}
