// Command kubectl-inventory is the kubectl plugin of inventory-operator: `kubectl inventory
// sync|plan|status|send`, with the user's kubeconfig and RBAC. Install it with
// `go install github.com/techoms/inventory-operator/cmd/kubectl-inventory@latest` or krew
// (plugins/inventory.yaml).
package main

import (
	"os"

	"github.com/techoms/inventory-operator/internal/inventoryctl"
)

func main() {
	os.Exit(inventoryctl.Main(os.Args[1:], inventoryctl.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
