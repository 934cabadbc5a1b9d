package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/internal/devcluster"
	"github.com/techoms/inventory-operator/internal/podexec"
)

// env is everything devenv started, stopped in reverse order.
type env struct {
	cluster     *devcluster.Cluster
	client      client.Client
	manager     *devcluster.Process
	managerLog  string
	relay       *devcluster.Process
	relayLog    string
	relayURL    string
	relayTokens string
	podLogs     string
	demo        *demo
	http        *http.Server
	stops       []func()
}

func (e *env) stop() {
	for i := len(e.stops) - 1; i >= 0; i-- {
		e.stops[i]()
	}
}

func startEnv(ctx context.Context, o options) (*env, error) {
	e := &env{}
	var err error
	e.cluster, err = devcluster.Start(ctx, devcluster.Options{Dir: o.dir, BinDir: o.binDir})
	if err != nil {
		return nil, err
	}
	e.stops = append(e.stops, e.cluster.Stop)
	cfg, err := e.cluster.RESTConfig()
	if err != nil {
		return e, err
	}
	if err := devcluster.InstallCRDs(cfg, o.crds); err != nil {
		return e, err
	}
	if e.client, err = newClient(cfg); err != nil {
		return e, err
	}

	listener, err := net.Listen("tcp", o.addr)
	if err != nil {
		return e, fmt.Errorf("listen on %s (pass -addr to use another): %w", o.addr, err)
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

	e.podLogs = filepath.Join(o.dir, "pods")
	exec, err := podexec.New(podexec.Options{
		Client:  kubernetes.NewForConfigOrDie(cfg),
		Binary:  o.operator,
		WorkDir: e.podLogs,
		Logf:    func(format string, args ...any) { fmt.Printf("podexec: "+format+"\n", args...) },
	})
	if err != nil {
		return e, err
	}
	execCtx, cancelExec := context.WithCancel(context.WithoutCancel(ctx))
	execDone := make(chan struct{})
	go func() {
		defer close(execDone)
		if err := exec.Run(execCtx); err != nil {
			fmt.Println("devenv: pod executor:", err)
		}
	}()
	e.stops = append(e.stops, func() { cancelExec(); <-execDone })

	e.managerLog = filepath.Join(e.cluster.LogDir, "manager.log")
	e.manager, err = devcluster.StartProcess("manager", []string{o.operator, "manager",
		"--sync-image=dev", "--metrics-bind-address=0", "--health-probe-bind-address=127.0.0.1:0", "--leader-elect=false",
	}, []string{"KUBECONFIG=" + e.cluster.Kubeconfig}, e.managerLog)
	if err != nil {
		return e, err
	}
	e.stops = append(e.stops, func() { e.manager.Stop(10 * time.Second) })
	if err := e.startRelay(o); err != nil {
		return e, err
	}

	if err := e.demo.createObjects(ctx, e.client, o.syncNow); err != nil {
		return e, err
	}
	if err := e.waitRelayReady(ctx); err != nil {
		return e, err
	}
	return e, nil
}
