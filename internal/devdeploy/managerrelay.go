package devdeploy

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// RelayCAConfigMap is the ConfigMap in the manager's namespace that holds the relay's CA
// certificates, mounted into the manager's pod for --relay-ca-file.
const RelayCAConfigMap = "inventory-relay-ca"

// relayCADir is where the manager's pod mounts RelayCAConfigMap.
const relayCADir = "/etc/inventory-relay-ca"

// ManagerRelay is the relay a manager points the sync pods of InventorySyncs with
// spec.reservations at, configured as a user does: the manager's --relay-url and, for a
// private CA, --relay-ca-file of a mounted ConfigMap.
type ManagerRelay struct {
	// URL is the relay's URL as sync pods reach it; empty leaves the manager without a relay.
	URL string
	// CA is the PEM certificates that verify the relay's certificate; empty for a public CA.
	CA []byte
}

// patches are the kustomize patches of the manager's Deployment.
func (r ManagerRelay) patches() []Patch {
	if r.URL == "" {
		return nil
	}
	out := []Patch{addArg(ManagerDeployment, "--relay-url="+r.URL)}
	if len(r.CA) == 0 {
		return out
	}
	mount := fmt.Sprintf(`[
		{"op": "add", "path": "/spec/template/spec/volumes", "value": [{"name": "relay-ca", "configMap": {"name": %q}}]},
		{"op": "add", "path": "/spec/template/spec/containers/0/volumeMounts", "value": [{"name": "relay-ca", "mountPath": %q, "readOnly": true}]}
	]`, RelayCAConfigMap, relayCADir)
	return append(out,
		Patch{Patch: mount, Target: map[string]any{"kind": "Deployment", "name": ManagerDeployment}},
		addArg(ManagerDeployment, "--relay-ca-file="+relayCADir+"/ca.crt"))
}

// caConfigMap is RelayCAConfigMap with the CA, or nil without one.
func (r ManagerRelay) caConfigMap() *unstructured.Unstructured {
	if r.URL == "" || len(r.CA) == 0 {
		return nil
	}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata":   map[string]any{"name": RelayCAConfigMap, "namespace": ManagerNamespace},
		"data":       map[string]any{"ca.crt": string(r.CA)},
	}}
	return cm
}
