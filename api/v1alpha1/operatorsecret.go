package v1alpha1

import "fmt"

// The operator's own Secrets live in the namespaces it serves, next to the tenants' ones: the
// relay's bearer tokens and TLS key pair (config/relay). A SalesChannel or an InventorySync
// names its credential Secret and the URL the credential is sent to, so a tenant who could
// name one of these would have the relay (or a sync pod) send it to the tenant's server. No
// credential reference may name them.
const (
	// RelayTokensSecret holds the bearer tokens the relay accepts.
	RelayTokensSecret = "inventory-relay-tokens"
	// RelayTLSSecret holds the relay's serving certificate and key.
	RelayTLSSecret = "inventory-relay-tls"
	// LabelOperatorSecret set to "true" marks any other Secret as the operator's own, for
	// example the relay's Secrets renamed by a kustomize namePrefix: it is refused as a
	// credential too.
	LabelOperatorSecret = "inventory.techoms.io/operator-secret"
)

// IsOperatorSecretName reports whether name is one of the operator's own Secrets.
func IsOperatorSecretName(name string) bool {
	return name == RelayTokensSecret || name == RelayTLSSecret
}

// IsOperatorSecret reports whether a Secret of this name and these labels is the operator's
// own, and so never a channel's or a feed's credential.
func IsOperatorSecret(name string, labels map[string]string) bool {
	return IsOperatorSecretName(name) || labels[LabelOperatorSecret] == "true"
}

// OperatorSecretMessage says why the Secret name cannot be a credential, for a condition.
func OperatorSecretMessage(name string) string {
	return fmt.Sprintf("Secret %q is one of the operator's own (the relay's bearer tokens or TLS key, or labelled %s=true): "+
		"it cannot be the credential of a channel or a feed, which would send it to the URL they name", name, LabelOperatorSecret)
}
