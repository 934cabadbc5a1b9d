package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/controllers"
	"github.com/techoms/inventory-operator/internal/workload"
)

// managerOptions are the manager role's flags.
type managerOptions struct {
	metricsAddr   string
	probeAddr     string
	leaderElect   bool
	leaderElectNS string
	syncImage     string
	concurrency   int
	zap           zap.Options
}

func runManager(args []string) int {
	var o managerOptions
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	fs.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080", "address the metrics endpoint binds to; 0 disables it")
	fs.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "address the health probes bind to")
	fs.BoolVar(&o.leaderElect, "leader-elect", false, "elect a leader, so only one replica reconciles")
	fs.StringVar(&o.leaderElectNS, "leader-election-namespace", "", "namespace of the leader-election lease (default: the pod's)")
	fs.StringVar(&o.syncImage, "sync-image", os.Getenv("SYNC_IMAGE"), "image the sync Jobs run (default $SYNC_IMAGE)")
	fs.IntVar(&o.concurrency, "concurrency", 4, "objects of each kind reconciled at once")
	o.zap.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&o.zap)))
	if o.syncImage == "" {
		fmt.Fprintln(os.Stderr, "manager: --sync-image (or SYNC_IMAGE) is required")
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

func startManager(ctx context.Context, o managerOptions) error {
	ours := labels.SelectorFromSet(labels.Set{workload.LabelManagedBy: workload.ManagedByValue})
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                  newScheme(),
		Metrics:                 metricsserver.Options{BindAddress: o.metricsAddr},
		HealthProbeBindAddress:  o.probeAddr,
		LeaderElection:          o.leaderElect,
		LeaderElectionID:        "inventory-operator.inventory.techoms.io",
		LeaderElectionNamespace: o.leaderElectNS,
		// The cache holds only this manager's CronJobs and Jobs, not every one in the cluster.
		Cache: cache.Options{ByObject: map[client.Object]cache.ByObject{
			&batchv1.CronJob{}: {Label: ours},
			&batchv1.Job{}:     {Label: ours},
		}},
	})
	if err != nil {
		return fmt.Errorf("creating manager: %w", err)
	}
	if err := controllers.Setup(ctx, mgr, controllers.Options{Image: o.syncImage, Concurrency: o.concurrency}); err != nil {
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
