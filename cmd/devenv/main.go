// Command devenv is the development environment behind `make dev`: a local cluster with a
// real node (package devcluster), the operator installed from config/default (or the Helm
// chart, with -chart) and the relay
// from config/relay with the locally built image (package devdeploy), a fake Shopify store
// and a demo fulfillment feed on the node's bridge, plus a demo SalesChannel and recurring
// InventorySync. It runs until interrupted, then stops everything. It is a development tool,
// not a role of the product binary.
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

	"github.com/techoms/inventory-operator/internal/devcluster"
	"github.com/techoms/inventory-operator/internal/devdeploy"
)

type options struct {
	dir      string
	binDir   string
	image    string
	imageRef string
	addr     string
	syncNow  bool
	chart    bool
}

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", "bin/dev", "directory for the cluster's data, logs and kubeconfig")
	flag.StringVar(&o.binDir, "bin-dir", "bin/k8s", "directory with the control plane and node binaries (make controlplane)")
	flag.StringVar(&o.image, "image", "bin/image/inventory-operator.tar", "the operator's image tarball (make image)")
	flag.StringVar(&o.imageRef, "image-ref", devdeploy.PublishedImage+":dev", "the name and tag of the image in the tarball (not latest)")
	flag.StringVar(&o.addr, "addr", devcluster.GatewayIP+":18080", "address of the fake store, the feed and the levels page, on the node's bridge")
	flag.BoolVar(&o.syncNow, "sync-now", true, "request a manual sync at start instead of waiting for the schedule")
	flag.BoolVar(&o.chart, "chart", false, "install the manager from charts/inventory-operator (rendered by Helm's engine) instead of config/default")
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
	for _, p := range []*string{&o.dir, &o.binDir, &o.image} {
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
	fmt.Printf("cluster, node, manager and relay ready in %s\n", time.Since(start).Round(10*time.Millisecond))
	printGuide(env)
	if msg := env.waitFirstSync(ctx, start); msg != "" {
		fmt.Println(msg)
	}
	<-ctx.Done()
	fmt.Println("\nstopping")
	return nil
}
