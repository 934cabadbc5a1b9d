//go:build e2e

// Package e2e runs the operator end to end, as a user installs it: a local cluster
// (devcluster) with a real node (containerd, kubelet, kube-proxy, kube-scheduler), the
// project's image built by `make image`'s code and loaded into the node, the manager and the
// relay installed from config/default and config/relay by kustomize under their own
// ServiceAccounts and RBAC, in namespaces enforcing the restricted Pod Security Standard, and
// fake Shopify stores (shopifytest) and feeds served at the node's bridge address. Run it as
// root with `make test-e2e`.
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/devcluster"
	"github.com/techoms/inventory-operator/internal/devdeploy"
	"github.com/techoms/inventory-operator/internal/image"
	"github.com/techoms/inventory-operator/internal/shopifyschema"
)

// operatorImage is the image the suite builds and loads: a tag other than latest, so the node
// never tries to pull it.
const operatorImage = devdeploy.PublishedImage + ":e2e"

// The suite's shared environment, set up once by TestMain.
var (
	k8s        client.Client
	clientset  kubernetes.Interface
	kubeconfig string
	suiteStart time.Time
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

// setUp builds the image, starts the cluster with its node and installs the manager.
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
		return stop, fmt.Errorf("the Shopify Admin schema is missing (%w): run `make shopify-schema`", err)
	}
	binDir := os.Getenv("KUBEBUILDER_ASSETS")
	if binDir == "" {
		binDir = filepath.Join(root, "bin", "k8s")
	}
	if err := devcluster.CheckNode(binDir); err != nil {
		return stop, fmt.Errorf("the suite runs on a real node: %w", err)
	}
	tarball := filepath.Join(dir, "image", "inventory-operator.tar")
	if _, err := image.BuildOperator(root, tarball, operatorImage, image.DefaultCACerts); err != nil {
		return stop, err
	}
	ctx := context.Background()
	cluster, err := devcluster.Start(ctx, devcluster.Options{
		Dir: filepath.Join(dir, "cluster"), BinDir: binDir,
		Node: &devcluster.NodeOptions{Images: []string{tarball}},
	})
	if err != nil {
		return stop, err
	}
	stops = append(stops, cluster.Stop)
	kubeconfig = cluster.Kubeconfig
	cfg, err := cluster.RESTConfig()
	if err != nil {
		return stop, err
	}
	// The API server's warnings to the suite's client (the admission policy's, for the plain
	// http stores) are logged as lines, not as the stack of a logger never set.
	ctrllog.SetLogger(logr.FromSlogHandler(slog.NewTextHandler(os.Stderr, nil)))
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return stop, err
	}
	clientset = kubernetes.NewForConfigOrDie(cfg)
	relay, err := prepareSuiteRelay(ctx, root)
	if err != nil {
		return stop, fmt.Errorf("prepare the suite's relay: %w", err)
	}
	// Sync pods get 64Mi instead of 512Mi: the runs here are small, and the memory test can
	// exceed the limit with a feed within the feed's caps.
	if err := devdeploy.InstallManagerWithRelay(ctx, k8s, root, operatorImage, relay, "--sync-memory-limit="+syncMemoryLimit); err != nil {
		return stop, fmt.Errorf("install the manager: %w%s", err, podLogsOf(devdeploy.ManagerNamespace))
	}
	return stop, nil
}

func repoRoot() string {
	_, file, _, _ := goruntime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
