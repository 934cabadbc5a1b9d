package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/controllers"
	"github.com/techoms/inventory-operator/internal/workload"
)

// managerOptions are the manager role's flags.
type managerOptions struct {
	metricsAddr     string
	metricsSecure   bool
	probeAddr       string
	pprofAddr       string
	leaderElect     bool
	leaderElectNS   string
	syncImage       string
	syncMemoryLimit string
	concurrency     int
	watchNamespaces string
	relayURL        string
	relayCAFile     string
	zap             zap.Options
}

func runManager(args []string) int {
	var o managerOptions
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	bindMetricsFlags(fs, &o.metricsAddr, &o.metricsSecure, ":8443")
	fs.StringVar(&o.watchNamespaces, "watch-namespaces", "", "comma-separated namespaces whose SalesChannels and InventorySyncs are reconciled (default: every namespace)")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "address the health probes bind to")
	fs.StringVar(&o.pprofAddr, "pprof-bind-address", "0", "loopback address serving Go's pprof profiles, for profiling the manager; 0 disables it")
	fs.BoolVar(&o.leaderElect, "leader-elect", false, "elect a leader, so only one replica reconciles")
	fs.StringVar(&o.leaderElectNS, "leader-election-namespace", "", "namespace of the leader-election lease (default: the pod's)")
	fs.StringVar(&o.syncImage, "sync-image", os.Getenv("SYNC_IMAGE"), "image the sync Jobs run (default $SYNC_IMAGE, else the manager's own image, read from its pod)")
	fs.StringVar(&o.syncMemoryLimit, "sync-memory-limit", "512Mi", "memory limit of the sync containers; the feed's size and row caps are sized for the default")
	fs.StringVar(&o.relayURL, "relay-url", "", "the relay's URL inside the cluster, where sync pods of InventorySyncs with spec.reservations read them (e.g. https://inventory-relay.inventory-system:8443)")
	fs.StringVar(&o.relayCAFile, "relay-ca-file", "", "PEM certificates that verify the relay's TLS certificate, given to those sync pods")
	fs.IntVar(&o.concurrency, "concurrency", 16, "objects of each kind reconciled at once; a reconcile mostly waits on the API server, so more workers than cores keep it busy")
	o.zap.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&o.zap)))
	if _, err := resource.ParseQuantity(o.syncMemoryLimit); err != nil {
		fmt.Fprintln(os.Stderr, "manager: --sync-memory-limit:", err)
		return 2
	}
	if _, err := metricsOptions(o.metricsAddr, o.metricsSecure); err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
		return 2
	}
	if _, err := watchedNamespaces(o.watchNamespaces); err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
		return 2
	}
	if o.pprofAddr != "0" && !isLoopback(o.pprofAddr) {
		fmt.Fprintf(os.Stderr, "manager: --pprof-bind-address serves profiles to anyone who can connect; bind it to a loopback address, not %q\n", o.pprofAddr)
		return 2
	}
	if err := startManager(ctrl.SetupSignalHandler(), o); err != nil {
		ctrl.Log.Error(err, "manager stopped")
		return 1
	}
	return 0
}

// NewScheme is the scheme the manager works with.
func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(v1alpha1.AddToScheme(s))
	return s
}

// bindMetricsFlags binds --metrics-bind-address and --metrics-secure, which the manager and
// the relay share.
func bindMetricsFlags(fs *flag.FlagSet, addr *string, secure *bool, defaultAddr string) {
	fs.StringVar(addr, "metrics-bind-address", defaultAddr, "address the metrics endpoint binds to; 0 disables it")
	fs.BoolVar(secure, "metrics-secure", true, "serve metrics over HTTPS to clients the API server authenticates and authorizes for GET /metrics; false serves plain HTTP, on a loopback address only")
}

// metricsOptions serves metrics at addr ("0" disables them) over HTTPS behind the API
// server's authentication and authorization (a TokenReview and a SubjectAccessReview for
// GET /metrics), or, when --metrics-secure=false, over plain HTTP on a loopback address, for
// a manager or relay run locally.
func metricsOptions(addr string, secure bool) (metricsserver.Options, error) {
	if addr == "0" {
		return metricsserver.Options{BindAddress: "0"}, nil
	}
	if !secure {
		if !isLoopback(addr) {
			return metricsserver.Options{}, fmt.Errorf("--metrics-secure=false serves metrics to anyone who can connect; bind it to a loopback address, not %q", addr)
		}
		return metricsserver.Options{BindAddress: addr}, nil
	}
	return metricsserver.Options{
		BindAddress:    addr,
		SecureServing:  true,
		FilterProvider: filters.WithAuthenticationAndAuthorization,
		// HTTP/1.1 only: HTTP/2 stream resets let a client exhaust the server (CVE-2023-44487).
		TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }},
	}, nil
}

// isLoopback says whether a bind address (host:port) listens on loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// watchedNamespaces parses --watch-namespaces: nil for every namespace, else the set of
// namespaces the cache (and so every reconciler) is confined to.
func watchedNamespaces(list string) (map[string]cache.Config, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	namespaces := map[string]cache.Config{}
	for _, ns := range strings.Split(list, ",") {
		ns = strings.TrimSpace(ns)
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return nil, fmt.Errorf("--watch-namespaces: %q is not a namespace name: %s", ns, strings.Join(errs, "; "))
		}
		namespaces[ns] = cache.Config{}
	}
	if len(namespaces) == 0 {
		return nil, errors.New("--watch-namespaces names no namespace")
	}
	return namespaces, nil
}

// managerConfig is the manager's controller-runtime configuration for these options.
func managerConfig(o managerOptions) (ctrl.Options, error) {
	metrics, err := metricsOptions(o.metricsAddr, o.metricsSecure)
	if err != nil {
		return ctrl.Options{}, err
	}
	namespaces, err := watchedNamespaces(o.watchNamespaces)
	if err != nil {
		return ctrl.Options{}, err
	}
	ours := labels.SelectorFromSet(labels.Set{workload.LabelManagedBy: workload.ManagedByValue})
	return ctrl.Options{
		Scheme:                  newScheme(),
		Metrics:                 metrics,
		HealthProbeBindAddress:  o.probeAddr,
		PprofBindAddress:        o.pprofAddr,
		LeaderElection:          o.leaderElect,
		LeaderElectionID:        "inventory-operator.inventory.techoms.io",
		LeaderElectionNamespace: o.leaderElectNS,
		Cache: cache.Options{
			// Confined to the watched namespaces, the manager needs Roles there, not a
			// ClusterRole: it neither lists nor watches anything elsewhere.
			DefaultNamespaces: namespaces,
			// The cache holds only this manager's CronJobs and Jobs, not every one in the cluster.
			ByObject: map[client.Object]cache.ByObject{
				&batchv1.CronJob{}: {Label: ours},
				&batchv1.Job{}:     {Label: ours},
				cachedSecret:       secretCache(),
				// A ConfigMap applied with kubectl carries its data in an annotation too: a
				// large catalog mapping would sit in the cache twice over.
				&corev1.ConfigMap{}: secretCache(),
			},
		},
	}, nil
}

func startManager(ctx context.Context, o managerOptions) error {
	opts, err := managerConfig(o)
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), opts)
	if err != nil {
		return fmt.Errorf("creating manager: %w", err)
	}
	image, err := syncImage(ctx, o.syncImage, mgr.GetAPIReader())
	if err != nil {
		return err
	}
	ctrl.Log.Info("sync Jobs run image", "image", image)
	memory := resource.MustParse(o.syncMemoryLimit)
	relay := workload.RelayAccess{URL: o.relayURL}
	if o.relayCAFile != "" {
		ca, err := os.ReadFile(o.relayCAFile)
		if err != nil {
			return fmt.Errorf("--relay-ca-file: %w", err)
		}
		relay.CA = string(ca)
	}
	if err := controllers.Setup(ctx, mgr, controllers.Options{Image: image, SyncMemoryLimit: memory.Value(), Concurrency: o.concurrency, Relay: relay}); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	return mgr.Start(ctx)
}
