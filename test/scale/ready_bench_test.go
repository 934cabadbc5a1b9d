// Package scale measures how the manager copes with many objects on a real API server.
package scale

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// sizes are the numbers of SalesChannels (and as many InventorySyncs) of the runs, from
// BENCH_SIZES (default 1000 5000).
func sizes(b *testing.B) []int {
	fields := strings.Fields(os.Getenv("BENCH_SIZES"))
	if len(fields) == 0 {
		fields = []string{"1000", "5000"}
	}
	out := make([]int, 0, len(fields))
	for _, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			b.Fatalf("BENCH_SIZES: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out
}

// concurrency names the manager's --concurrency for the run: BENCH_CONCURRENCY, else each
// binary's default.
func concurrency() string {
	if c := os.Getenv("BENCH_CONCURRENCY"); c != "" {
		return c
	}
	return "default"
}

// BenchmarkReady creates n SalesChannels (with their Secrets) and n recurring InventorySyncs
// for each size n, and reports how long the manager takes until every one is Ready with an
// observedGeneration that matches, and its CronJob exists. Creating the objects is part of the
// measured time, as it is for a GitOps tool applying them; the creation alone is reported too,
// as the baseline. The manager is the real binary in a child process, each size on a fresh
// API server: its peak RSS is its own, and its API requests come from its client metrics.
// BENCH_CPUPROFILE=dir saves a CPU profile of the manager over the first 30 seconds of each run.
func BenchmarkReady(b *testing.B) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		b.Fatal("KUBEBUILDER_ASSETS must point at the control plane; run `make bench`")
	}
	ctrllog.SetLogger(logr.Discard())
	bin := buildManager(b)
	baseline := os.Getenv("BENCH_BASELINE_MANAGER")
	for i := 0; i < b.N; i++ {
		for _, n := range sizes(b) {
			if baseline != "" {
				runReady(b, baseline, "baseline", n, nil)
			}
			runReady(b, bin, "this tree", n, strings.Fields(os.Getenv("BENCH_MANAGER_ARGS")))
		}
	}
}

// runReady measures one manager binary at one size; args are its extra flags.
func runReady(b *testing.B, bin, label string, n int, args []string) {
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	admin, err := env.AddUser(envtest.User{Name: "manager", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	kubeconfig, err := admin.KubeConfig()
	if err != nil {
		b.Fatal(err)
	}
	kubeconfigPath := filepath.Join(b.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfigPath, kubeconfig, 0o600); err != nil {
		b.Fatal(err)
	}
	// The creating client is not the bottleneck: it writes as fast as the API server takes it.
	cfg.QPS, cfg.Burst = 2000, 4000

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	profileDir := os.Getenv("BENCH_CPUPROFILE")
	mgr := startManager(b, bin, kubeconfigPath, args, profileDir != "" && label == "this tree")
	stopped := false
	defer func() {
		if !stopped {
			mgr.stop()
		}
	}()
	profiled := make(chan error, 1)
	if mgr.pprofAddr != "" {
		go func() {
			profiled <- mgr.cpuProfile(ctx, 30, filepath.Join(profileDir, fmt.Sprintf("manager-%d.pprof", n)))
		}()
	} else {
		profiled <- nil
	}

	ns := "scale"
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		b.Fatal(err)
	}
	idle, err := mgr.scrape()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	createAll(ctx, b, c, ns, n)
	createdIn := time.Since(start)
	waitReady(ctx, b, cfg, scheme, ns, n)
	readyIn := time.Since(start)
	busy, err := mgr.scrape()
	if err != nil {
		b.Fatal(err)
	}
	if err := <-profiled; err != nil {
		b.Fatal(err)
	}
	stopped = true
	peakRSS := mgr.stop()

	objects := float64(2 * n)
	reads := (busy.reads() - idle.reads()) / objects
	writes := (busy.writes() - idle.writes()) / objects
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("%s: %d SalesChannels + %d InventorySyncs (concurrency %s): created in %.1fs, all Ready in %.1fs (%.2fx the creation time); manager peak RSS %d MiB; per object %.2f reads and %.2f writes; %s\n",
		label, n, n, concurrency(), createdIn.Seconds(), readyIn.Seconds(), readyIn.Seconds()/createdIn.Seconds(), peakRSS>>20, reads, writes, requestDetail(idle, busy, n))
	fmt.Printf("  load average at the end: %s", load)
}

// requestDetail lists the requests by method and the reconciles by controller, per object of
// the kind the controller reconciles.
func requestDetail(idle, busy requests, n int) string {
	var parts []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		if d := busy.byMethod[m] - idle.byMethod[m]; d > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f", m, d))
		}
	}
	for _, ctl := range []string{"saleschannel", "inventorysync"} {
		parts = append(parts, fmt.Sprintf("%s reconciles per object %.2f", ctl, (busy.reconciles[ctl]-idle.reconciles[ctl])/float64(n)))
	}
	return strings.Join(parts, ", ")
}

// createAll creates the objects with a few concurrent writers, as kubectl apply of a
// directory or a GitOps tool would.
func createAll(ctx context.Context, b *testing.B, c client.Client, ns string, objects int) {
	var wg sync.WaitGroup
	errs := make(chan error, objects)
	work := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				name := fmt.Sprintf("ch-%05d", i)
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
							Feed: &v1alpha1.FeedSource{URL: "http://wms/levels"}},
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

// waitReady polls until every object reports Ready for its current generation. It reads from
// an informer cache, started once the objects exist, so that waiting costs the API server one
// list and a watch per kind rather than repeated lists competing with the manager.
func waitReady(ctx context.Context, b *testing.B, cfg *rest.Config, scheme *runtime.Scheme, ns string, objects int) {
	c, err := cache.New(cfg, cache.Options{Scheme: scheme, DefaultNamespaces: map[string]cache.Config{ns: {}}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = c.Start(ctx) }()
	for _, obj := range []client.Object{&v1alpha1.SalesChannel{}, &v1alpha1.InventorySync{}, &batchv1.CronJob{}} {
		if _, err := c.GetInformer(ctx, obj); err != nil {
			b.Fatal(err)
		}
	}
	if !c.WaitForCacheSync(ctx) {
		b.Fatal("the cache of the objects did not sync")
	}
	deadline := time.Now().Add(20 * time.Minute)
	tick := time.NewTicker(250 * time.Millisecond)
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
			b.Fatalf("after 20 minutes only %d of %d objects are Ready and %d CronJobs exist", ready, 2*objects, len(cronJobs.Items))
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
