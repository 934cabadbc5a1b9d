// Command inventory-operator is the operator's one binary. Its first argument picks a role:
//
//	manager  reconciles SalesChannels and InventorySyncs (a Deployment)
//	sync     performs one synchronization run (the pod of a sync Job)
//	relay    receives inventory events over HTTP and pushes them to real-time channels
//	ledger   runs the NATS JetStream server that holds the relay's ledger (a StatefulSet)
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// roles maps a role name to its entry point, which gets the arguments after the role.
var roles = map[string]func(args []string) int{
	"ledger":  runLedger,
	"manager": runManager,
	"relay":   runRelay,
	"sync":    runSync,
}

func main() {
	if len(os.Args) < 2 || roles[os.Args[1]] == nil {
		fmt.Fprintf(os.Stderr, "usage: %s <role> [flags]\nroles: %s\n", os.Args[0], strings.Join(roleNames(), ", "))
		os.Exit(2)
	}
	os.Exit(roles[os.Args[1]](os.Args[2:]))
}

func roleNames() []string {
	names := make([]string, 0, len(roles))
	for name := range roles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
