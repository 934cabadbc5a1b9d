// Package scale measures how the manager copes with many objects on a real API server.
package scale

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/controllers"
	"github.com/techoms/inventory-operator/internal/workload"
)

const objects = 500

// concurrency is the manager's --concurrency for the run, from BENCH_CONCURRENCY (default 4).
func concurrency() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_CONCURRENCY")); err == nil {
		return n
	}
	return 4
}

// BenchmarkReady creates 500 SalesChannels (with their Secrets) and 500 recurring
// InventorySyncs, and reports how long the manager takes until every one is Ready with an
// observedGeneration that matches, and its CronJob exists. Creating the objects is part of the
// measured time, as it is for a GitOps tool applying them; the creation alone is reported too,
// as the baseline.
func BenchmarkReady(b *testing.B) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		b.Fatal("KUBEBUILDER_ASSETS must point at the control plane; run `make bench`")
	}
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	cfg.QPS, cfg.Burst = 500, 1000

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		b.Fatal(err)
	}
	ours := labels.SelectorFromSet(labels.Set{workload.LabelManagedBy: workload.ManagedByValue})
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		Cache: cache.Options{ByObject: map[client.Object]cache.ByObject{&batchv1.CronJob{}: {Label: ours}, &batchv1.Job{}: {Label: ours}}},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := controllers.Setup(ctx, mgr, controllers.Options{Image: "inventory-operator:bench", Concurrency: concurrency()}); err != nil {
		b.Fatal(err)
	}
	go func() { _ = mgr.Start(ctx) }()

	for i := 0; i < b.N; i++ {
		ns := fmt.Sprintf("scale-%d", i)
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		createAll(ctx, b, c, ns)
		createdIn := time.Since(start)
		waitReady(ctx, b, c, ns)
		readyIn := time.Since(start)
		b.ReportMetric(createdIn.Seconds(), "s-create")
		b.ReportMetric(readyIn.Seconds(), "s-all-ready")
		b.ReportMetric(readyIn.Seconds()/createdIn.Seconds(), "ready/create")
		fmt.Printf("concurrency %d: 500 SalesChannels + 500 InventorySyncs: created in %.2fs, all Ready in %.2fs (%.2fx the creation time)\n",
			concurrency(), createdIn.Seconds(), readyIn.Seconds(), readyIn.Seconds()/createdIn.Seconds())
	}
}

// createAll creates the objects with a few concurrent writers, as kubectl apply of a
// directory or a GitOps tool would.
func createAll(ctx context.Context, b *testing.B, c client.Client, ns string) {
	var wg sync.WaitGroup
	errs := make(chan error, objects)
	work := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				name := fmt.Sprintf("ch-%03d", i)
				secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-admin"}, Data: map[string][]byte{"token": []byte("t")}}
				ch := &v1alpha1.SalesChannel{
					ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
					Spec: v1alpha1.SalesChannelSpec{
						Platform:   v1alpha1.PlatformShopify,
						Connection: v1alpha1.ChannelConnection{URL: "https://s.myshopify.com", CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: name + "-admin", Key: "token"}},
						Inventory:  v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeSynchronizeWithFulfillmentChannel},
					},
				}
				sync := &v1alpha1.InventorySync{
					ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "sync-" + name},
					Spec: v1alpha1.InventorySyncSpec{
						SalesChannelRef: v1alpha1.LocalObjectReference{Name: name},
						FulfillmentChannel: v1alpha1.FulfillmentChannel{Name: "wh", LocationID: "gid://shopify/Location/1",
							Feed: v1alpha1.FeedSource{URL: "http://wms/levels"}},
						Schedule: ptr.To("*/15 * * * *"),
					},
				}
				for _, obj := range []client.Object{secret, ch, sync} {
					if err := c.Create(ctx, obj); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	for i := 0; i < objects; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}

}

// waitReady polls until every object reports Ready for its current generation.
func waitReady(ctx context.Context, b *testing.B, c client.Client, ns string) {
	deadline := time.Now().Add(10 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		var channels v1alpha1.SalesChannelList
		var syncs v1alpha1.InventorySyncList
		var cronJobs batchv1.CronJobList
		if err := c.List(ctx, &channels, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
		if err := c.List(ctx, &syncs, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
		if err := c.List(ctx, &cronJobs, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
		ready := 0
		for _, ch := range channels.Items {
			if readyAt(ch.Status.Conditions, ch.Generation) {
				ready++
			}
		}
		for _, s := range syncs.Items {
			if readyAt(s.Status.Conditions, s.Generation) {
				ready++
			}
		}
		if ready == 2*objects && len(cronJobs.Items) == objects {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("after 10 minutes only %d of %d objects are Ready and %d CronJobs exist", ready, 2*objects, len(cronJobs.Items))
		}
		select {
		case <-ctx.Done():
			b.Fatal(ctx.Err())
		case <-tick.C:
		}
	}
}

func readyAt(conds []metav1.Condition, generation int64) bool {
	c := meta.FindStatusCondition(conds, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == generation
}
