package workload

import (
	"fmt"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// CheckSecrets refuses a run whose pod would carry one of the operator's own Secrets (by
// name, v1alpha1.IsOperatorSecretName) as a secretKeyRef: the pod would send it to a URL the
// spec names. The reconcilers refuse such references first, with a condition, and also by
// the Secret's label; this keeps every path that renders a pod from ever carrying one.
func CheckSecrets(r Run) error {
	for _, ref := range secretRefs(r) {
		if v1alpha1.IsOperatorSecretName(ref.Name) {
			return fmt.Errorf("the run of InventorySync %s would carry Secret %s: %s", r.Sync.Name, ref.Name, v1alpha1.OperatorSecretMessage(ref.Name))
		}
	}
	return nil
}

// secretRefs are the Secret keys a run's pod reads: the channel's credential and the feeds'
// bearer tokens.
func secretRefs(r Run) []v1alpha1.SecretKeySelector {
	refs := []v1alpha1.SecretKeySelector{r.Channel.Spec.Connection.CredentialsSecretRef}
	for _, feed := range r.Sync.Spec.FulfillmentChannel.FeedList() {
		if feed.BearerTokenSecretRef != nil {
			refs = append(refs, *feed.BearerTokenSecretRef)
		}
	}
	if res := r.Sync.Spec.Reservations; res != nil {
		refs = append(refs, res.TokenSecretRef)
	}
	return refs
}
