package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/internal/devcluster"
	"github.com/techoms/inventory-operator/internal/devdeploy"
	"github.com/techoms/inventory-operator/internal/helmchart"
)

// env is everything devenv started, stopped in reverse order.
type env struct {
	cluster *devcluster.Cluster
	client  client.Client
	relay   relayAccess
	demo    *demo
	http    *http.Server
	stops   []func()
}

func (e *env) stop() {
	for i := len(e.stops) - 1; i >= 0; i-- {
		e.stops[i]()
	}
}

func startEnv(ctx context.Context, o options) (*env, error) {
	e := &env{}
	var err error
	e.cluster, err = devcluster.Start(ctx, devcluster.Options{Dir: o.dir, BinDir: o.binDir,
		Node: &devcluster.NodeOptions{Images: []string{o.image}}})
	if err != nil {
		return nil, err
	}
	e.stops = append(e.stops, e.cluster.Stop)
	cfg, err := e.cluster.RESTConfig()
	if err != nil {
		return e, err
	}
	if e.client, err = newClient(cfg); err != nil {
		return e, err
	}

	listener, err := net.Listen("tcp", o.addr)
	if err != nil {
		return e, fmt.Errorf("listen on %s (pass -addr to use another port): %w", o.addr, err)
	}
	baseURL := "http://" + listener.Addr().String()
	if e.demo, err = newDemo(baseURL, filepath.Join(o.dir, "feed.csv")); err != nil {
		_ = listener.Close()
		return e, err
	}
	e.stops = append(e.stops, e.demo.close)
	e.http = &http.Server{Handler: e.demo.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := e.http.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("devenv: demo server:", err)
		}
	}()
	e.stops = append(e.stops, func() { _ = e.http.Close() })

	root, err := filepath.Abs(".")
	if err != nil {
		return e, err
	}
	if err := installManager(ctx, e.client, root, o); err != nil {
		return e, fmt.Errorf("install the manager: %w", err)
	}
	if err := e.demo.createObjects(ctx, e.client, o.syncNow); err != nil {
		return e, err
	}
	if e.relay, err = startRelay(ctx, e.client, root, o); err != nil {
		return e, fmt.Errorf("install the relay: %w", err)
	}
	return e, nil
}

// installManager installs the manager from config/default, or from the chart with the names
// config/default gives (the release inventory-operator in inventory-operator-system), and
// waits until it is available.
func installManager(ctx context.Context, c client.Client, root string, o options) error {
	if !o.chart {
		return devdeploy.InstallManager(ctx, c, root, o.imageRef)
	}
	rel := helmchart.Release{Name: "inventory-operator", Namespace: devdeploy.ManagerNamespace}
	values := map[string]any{"image": helmchart.ImageValues(o.imageRef)}
	if _, err := helmchart.Install(ctx, c, filepath.Join(root, "charts", "inventory-operator"), rel, values); err != nil {
		return err
	}
	return devdeploy.WaitAvailable(ctx, c, client.ObjectKey{Namespace: devdeploy.ManagerNamespace, Name: devdeploy.ManagerDeployment}, 3*time.Minute)
}
