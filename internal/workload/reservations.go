package workload

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/techoms/inventory-operator/internal/syncpod"
)

// RelayAccess is the relay as the manager knows it: where sync pods read reservations.
type RelayAccess struct {
	// URL is the relay's base URL inside the cluster; empty when the manager has none.
	URL string
	// CA is the PEM certificates that verify the relay's TLS certificate, when it is not
	// signed by a public authority. Public: it travels as a literal environment value.
	CA string
}

// reservationsSource points cfg at the relay's reservations, for a sync that has them: the
// relay URL is the manager's, an argument; the tenant's token a secretKeyRef variable. The
// pod still needs no service account token. A sync with reservations and a manager without
// a relay URL is refused by the reconciler before a pod is rendered.
func reservationsSource(cfg *syncpod.Config, r Run) []corev1.EnvVar {
	res := r.Sync.Spec.Reservations
	if res == nil || r.Relay.URL == "" {
		return nil
	}
	cfg.ReservationsURL = literal(r.Relay.URL)
	cfg.FulfillmentChannel = literal(r.Sync.Spec.FulfillmentChannel.Name)
	cfg.SalesChannel = literal(r.Channel.Name)
	cfg.InventorySync = literal(r.Sync.Namespace + "/" + r.Sync.Name)
	env := []corev1.EnvVar{secretEnv(syncpod.EnvReservationsToken, res.TokenSecretRef)}
	if r.Relay.CA != "" {
		env = append(env, corev1.EnvVar{Name: syncpod.EnvRelayCA, Value: r.Relay.CA})
	}
	return env
}
