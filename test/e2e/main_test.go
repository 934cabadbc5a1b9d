//go:build e2e

// Package e2e runs the operator end to end: a local control plane (devcluster) with the real
// CronJob and Job controllers, the real manager binary, sync pods run by the pod executor
// (podexec) as processes of the real binary, and fake Shopify stores (shopifyfake). Run it
// with `make test-e2e`.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/devcluster"
	"github.com/techoms/inventory-operator/internal/podexec"
	"github.com/techoms/inventory-operator/internal/shopifyschema"
)

// The suite's shared environment, set up once by TestMain.
var (
	k8s        client.Client
	clientset  kubernetes.Interface
	managerLog string
	// operatorBinary is the binary built for the suite; kubeconfig the cluster's admin one.
	operatorBinary string
	kubeconfig     string
	podLogs        string
	suiteStart     time.Time
)

func TestMain(m *testing.M) { os.Exit(runSuite(m)) }

func runSuite(m *testing.M) int {
	suiteStart = time.Now()
	dir, err := os.MkdirTemp("", "inventory-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := 1
	defer func() {
		if code == 0 {
			_ = os.RemoveAll(dir)
		} else {
			fmt.Fprintf(os.Stderr, "e2e: logs kept in %s\n", dir)
		}
	}()
	stop, err := setUp(dir)
	defer stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: set-up failed:", err)
		return code
	}
	fmt.Printf("e2e: environment ready in %s\n", time.Since(suiteStart).Round(10*time.Millisecond))
	code = m.Run()
	fmt.Printf("e2e: suite took %s\n", time.Since(suiteStart).Round(10*time.Millisecond))
	return code
}

// setUp builds the binary and starts the control plane, the pod executor and the manager.
// stop undoes whatever was started, also after an error.
func setUp(dir string) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	root := repoRoot()
	if _, err := os.Stat(shopifyschema.DefaultPath()); err != nil {
		return stop, fmt.Errorf("the Shopify Admin schema is missing (%v): run `make shopify-schema`", err)
	}
	binary := filepath.Join(dir, "inventory-operator")
	operatorBinary = binary
	build := exec.Command("go", "build", "-o", binary, "./cmd/inventory-operator")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return stop, fmt.Errorf("go build: %v\n%s", err, out)
	}
	binDir := os.Getenv("KUBEBUILDER_ASSETS")
	if binDir == "" {
		binDir = filepath.Join(root, "bin", "k8s")
	}
	ctx := context.Background()
	cluster, err := devcluster.Start(ctx, devcluster.Options{Dir: filepath.Join(dir, "cluster"), BinDir: binDir})
	if err != nil {
		return stop, err
	}
	stops = append(stops, cluster.Stop)
	kubeconfig = cluster.Kubeconfig
	cfg, err := cluster.RESTConfig()
	if err != nil {
		return stop, err
	}
	if err := devcluster.InstallCRDs(cfg, filepath.Join(root, "config", "crd", "bases")); err != nil {
		return stop, err
	}
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return stop, err
	}
	clientset = kubernetes.NewForConfigOrDie(cfg)

	podLogs = filepath.Join(dir, "pods")
	executor, err := podexec.New(podexec.Options{Client: clientset, Binary: binary, WorkDir: podLogs, MaxConcurrent: 6})
	if err != nil {
		return stop, err
	}
	execCtx, cancelExec := context.WithCancel(ctx)
	execDone := make(chan struct{})
	go func() {
		defer close(execDone)
		if err := executor.Run(execCtx); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: pod executor:", err)
		}
	}()
	stops = append(stops, func() { cancelExec(); <-execDone })

	managerLog = filepath.Join(cluster.LogDir, "manager.log")
	manager, err := devcluster.StartProcess("manager", []string{binary, "manager",
		"--sync-image=e2e", "--metrics-bind-address=0", "--health-probe-bind-address=127.0.0.1:0",
	}, []string{"KUBECONFIG=" + cluster.Kubeconfig}, managerLog)
	if err != nil {
		return stop, err
	}
	stops = append(stops, func() { manager.Stop(10 * time.Second) })
	return stop, nil
}

func repoRoot() string {
	_, file, _, _ := goruntime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
