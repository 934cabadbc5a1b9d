// Command devenv is the development environment behind `make dev`: a local control plane
// (package devcluster) with the operator's CRDs, the manager, the relay (real-time inventory
// events), a pod executor standing in for a kubelet (package podexec), a fake Shopify store
// and a demo fulfillment feed, plus a demo SalesChannel and recurring InventorySync. It runs until
// interrupted, then stops everything. It is a development tool, not a role of the product binary.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

type options struct {
	dir       string
	binDir    string
	operator  string
	crds      string
	addr      string
	relayAddr string
	syncNow   bool
}

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", "bin/dev", "directory for the cluster's data, logs and kubeconfig")
	flag.StringVar(&o.binDir, "bin-dir", "bin/k8s", "directory with etcd, kube-apiserver and kube-controller-manager")
	flag.StringVar(&o.operator, "operator", "bin/inventory-operator", "the operator binary (manager and sync roles)")
	flag.StringVar(&o.crds, "crds", "config/crd/bases", "directory of the CRD manifests")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:18080", "loopback address of the fake store, the feed and the levels page")
	flag.StringVar(&o.relayAddr, "relay-addr", "127.0.0.1:18443", "loopback address of the relay (real-time inventory events)")
	flag.BoolVar(&o.syncNow, "sync-now", true, "request a manual sync at start instead of waiting for the schedule")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "devenv:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	start := time.Now()
	for _, p := range []*string{&o.dir, &o.binDir, &o.operator, &o.crds} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	env, err := startEnv(ctx, o)
	if env != nil {
		defer env.stop()
	}
	if err != nil {
		return err
	}
	fmt.Printf("control plane, manager, relay and pod executor ready in %s\n", time.Since(start).Round(10*time.Millisecond))
	printGuide(env)

	first := make(chan string, 1)
	go func() { first <- env.waitFirstSync(ctx, start) }()
	select {
	case msg := <-first:
		if msg != "" {
			fmt.Println(msg)
		}
	case <-ctx.Done():
	case <-env.manager.Done():
		return fmt.Errorf("the manager exited; see %s", env.managerLog)
	case <-env.relay.Done():
		return fmt.Errorf("the relay exited; see %s", env.relayLog)
	}
	select {
	case <-ctx.Done():
	case <-env.manager.Done():
		return fmt.Errorf("the manager exited; see %s", env.managerLog)
	case <-env.relay.Done():
		return fmt.Errorf("the relay exited; see %s", env.relayLog)
	}
	fmt.Println("\nstopping")
	return nil
}
