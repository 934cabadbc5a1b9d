//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
	"github.com/techoms/inventory-operator/internal/devcluster"
	"github.com/techoms/inventory-operator/internal/devdeploy"
)

// Deadlines of the waits. A scheduled run starts at the next minute boundary.
const (
	runTimeout       = 3 * time.Minute
	scheduledTimeout = 3 * time.Minute
	pollInterval     = 250 * time.Millisecond
)

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// restricted labels a namespace to enforce the restricted Pod Security Standard: every pod
// the operator creates there must meet it.
var restricted = map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}

// newNamespace makes a namespace for one test and, when the test fails, logs what the
// cluster shows in it.
func newNamespace(t *testing.T) string {
	t.Helper()
	name := unsafeName.ReplaceAllString(strings.ToLower(t.Name()), "-")
	if len(name) > 50 {
		name = name[:50]
	}
	name = strings.Trim(name, "-")
	create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: restricted}})
	dumpOnFailure(t, name)
	return name
}

// dumpOnFailure logs what the cluster shows in ns when the test fails.
func dumpOnFailure(t *testing.T, ns string) {
	t.Cleanup(func() {
		if t.Failed() {
			dumpNamespace(t, ns)
		}
	})
}

func dumpNamespace(t *testing.T, ns string) {
	ctx := context.Background()
	var syncs v1alpha1.InventorySyncList
	var channels v1alpha1.SalesChannelList
	var jobs batchv1.JobList
	var pods corev1.PodList
	for _, list := range []client.ObjectList{&syncs, &channels, &jobs, &pods} {
		_ = k8s.List(ctx, list, client.InNamespace(ns))
	}
	for i := range channels.Items {
		out, _ := yaml.Marshal(channels.Items[i].Status)
		t.Logf("SalesChannel %s status:\n%s", channels.Items[i].Name, out)
	}
	for i := range syncs.Items {
		out, _ := yaml.Marshal(syncs.Items[i].Status)
		t.Logf("InventorySync %s status:\n%s", syncs.Items[i].Name, out)
	}
	for _, j := range jobs.Items {
		t.Logf("Job %s: active %d succeeded %d failed %d", j.Name, j.Status.Active, j.Status.Succeeded, j.Status.Failed)
	}
	t.Logf("pods and their logs:%s", podLogsOf(ns))
	t.Logf("manager:%s", podLogsOf(devdeploy.ManagerNamespace))
}

// podLogsOf describes every pod of ns with the end of its logs, read through the API
// server from the kubelet, as kubectl logs does.
func podLogsOf(ns string) string {
	if clientset == nil {
		return ""
	}
	ctx := context.Background()
	pods, err := clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "\n(pods: " + err.Error() + ")"
	}
	var b strings.Builder
	for _, p := range pods.Items {
		fmt.Fprintf(&b, "\npod %s: %s", p.Name, p.Status.Phase)
		for _, c := range p.Status.ContainerStatuses {
			if t := c.State.Terminated; t != nil {
				fmt.Fprintf(&b, "; %s terminated: %s, exit %d", c.Name, t.Reason, t.ExitCode)
			}
			if w := c.State.Waiting; w != nil {
				fmt.Fprintf(&b, "; %s waiting: %s %s", c.Name, w.Reason, w.Message)
			}
		}
		out, err := clientset.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{TailLines: ptr.To[int64](40)}).DoRaw(ctx)
		if err != nil {
			fmt.Fprintf(&b, "\n(logs: %v)", err)
			continue
		}
		fmt.Fprintf(&b, "\n%s", out)
	}
	return b.String()
}

// serveOnBridge serves h on the node's bridge address, where pods reach this machine, and
// returns its base URL.
func serveOnBridge(t *testing.T, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", devcluster.GatewayIP+":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8s.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// eventually polls cond until it holds or the deadline passes; cond says what it saw.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last seen: %s", timeout, what, seen)
		}
		<-tick.C
	}
}

// shop is a fake Shopify store with one location, whose token is in a Secret, served on the
// node's bridge.
type shop struct {
	*shopifytest.Handler
	URL      string
	location string
	secret   string
}

// newShop starts a fake store stocked with the given SKUs and quantities, in order (a SKU
// may repeat: several variants share it), and stores its token in a Secret in ns.
func newShop(t *testing.T, ns string, stock ...stockLine) *shop {
	t.Helper()
	return newShopWithSecret(t, ns, "shop-token", stock...)
}

// newShopWithSecret is newShop with the Secret's name.
func newShopWithSecret(t *testing.T, ns, secret string, stock ...stockLine) *shop {
	t.Helper()
	srv, err := shopifytest.NewHandler(shopifytest.Options{Plan: "Standard"})
	if err != nil {
		t.Fatalf("fake Shopify store: %v (run `make shopify-schema`)", err)
	}
	t.Cleanup(srv.Close)
	s := &shop{Handler: srv, URL: serveOnBridge(t, srv), location: srv.AddLocation("warehouse"), secret: secret}
	for _, line := range stock {
		_, item := srv.AddVariant(line.sku)
		srv.SetAvailable(item, s.location, line.available)
	}
	create(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: s.secret, Namespace: ns},
		StringData: map[string]string{"token": srv.Token()},
	})
	return s
}

type stockLine struct {
	sku       string
	available int64
}

// availableBySKU lists the available quantity of every variant with the SKU.
func (s *shop) availableBySKU(sku string) []int64 {
	var out []int64
	for _, item := range s.InventoryItemGIDs(sku) {
		out = append(out, s.Available(item, s.location))
	}
	return out
}

// waitLevels waits until every SKU's variants show the wanted quantities.
func (s *shop) waitLevels(t *testing.T, want map[string][]int64) {
	t.Helper()
	eventually(t, runTimeout, "store levels", func() (bool, string) {
		got := map[string][]int64{}
		for sku := range want {
			got[sku] = s.availableBySKU(sku)
		}
		return fmt.Sprint(got) == fmt.Sprint(want), fmt.Sprint(got)
	})
}

// feed serves a fulfillment CSV feed that a test can change, with a Last-Modified once it
// has a snapshot time.
type feed struct {
	mu           sync.Mutex
	csv          string
	lastModified time.Time
	url          string
}

func newFeed(t *testing.T, csv string) *feed {
	f := &feed{csv: csv}
	f.url = serveOnBridge(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "text/csv")
		if !f.lastModified.IsZero() {
			w.Header().Set("Last-Modified", f.lastModified.UTC().Format(http.TimeFormat))
		}
		_, _ = w.Write([]byte(f.csv))
	})) + "/levels.csv"
	return f
}

func (f *feed) set(csv string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.csv = csv
}

// setSnapshot serves csv as the levels of at, in its Last-Modified header.
func (f *feed) setSnapshot(csv string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.csv, f.lastModified = csv, at
}

// newChannel creates a Shopify SalesChannel of the store, changed by mutate before it is
// created.
func newChannel(t *testing.T, ns, name string, s *shop, mode v1alpha1.InventoryMode, duplicates v1alpha1.DuplicateSKUPolicy, mutate ...func(*v1alpha1.SalesChannel)) *v1alpha1.SalesChannel {
	t.Helper()
	ch := &v1alpha1.SalesChannel{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: v1alpha1.SalesChannelSpec{
			Platform: v1alpha1.PlatformShopify,
			Connection: v1alpha1.ChannelConnection{
				URL:                  s.URL,
				CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: s.secret, Key: "token"},
				Plan:                 v1alpha1.PlanStandard,
			},
			Inventory: v1alpha1.InventoryPolicy{Mode: mode, DuplicateSKUs: duplicates},
		},
	}
	for _, m := range mutate {
		m(ch)
	}
	create(t, ch)
	return ch
}

// newSync creates an InventorySync from the feed into the channel: recurring when schedule
// is set, one-off otherwise; mutate changes it before it is created.
func newSync(t *testing.T, ns, name string, ch *v1alpha1.SalesChannel, f *feed, s *shop, schedule string, mutate ...func(*v1alpha1.InventorySync)) *v1alpha1.InventorySync {
	t.Helper()
	sync := &v1alpha1.InventorySync{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: v1alpha1.InventorySyncSpec{
			SalesChannelRef: v1alpha1.LocalObjectReference{Name: ch.Name},
			FulfillmentChannel: v1alpha1.FulfillmentChannel{
				Name:       "warehouse",
				Feed:       &v1alpha1.FeedSource{URL: f.url, Format: v1alpha1.FeedFormatCSV},
				LocationID: s.location,
			},
		},
	}
	if schedule != "" {
		sync.Spec.Schedule = &schedule
	}
	for _, m := range mutate {
		m(sync)
	}
	create(t, sync)
	return sync
}

func getSync(t *testing.T, ns, name string) *v1alpha1.InventorySync {
	t.Helper()
	var sync v1alpha1.InventorySync
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &sync); err != nil {
		t.Fatalf("get InventorySync %s: %v", name, err)
	}
	return &sync
}

// waitRun waits until the sync's last run is complete and matches.
func waitRun(t *testing.T, ns, name string, timeout time.Duration, what string, match func(*v1alpha1.SyncRun) bool) *v1alpha1.InventorySync {
	t.Helper()
	var sync *v1alpha1.InventorySync
	eventually(t, timeout, "InventorySync "+name+": "+what, func() (bool, string) {
		sync = getSync(t, ns, name)
		run := sync.Status.LastRun
		if run == nil {
			return false, "no run yet"
		}
		return run.CompletionTime != nil && match(run), fmt.Sprintf("%+v", *run)
	})
	return sync
}

// requestSync sets the sync-requested-at annotation on obj to token.
func requestSync(t *testing.T, obj client.Object, token string) {
	t.Helper()
	patch := client.RawPatch("application/merge-patch+json",
		[]byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, v1alpha1.SyncRequestedAtAnnotation, token)))
	if err := k8s.Patch(context.Background(), obj, patch); err != nil {
		t.Fatalf("request a sync on %s: %v", obj.GetName(), err)
	}
}

func condition(conds []metav1.Condition, kind string) *metav1.Condition {
	return meta.FindStatusCondition(conds, kind)
}

func counts(run *v1alpha1.SyncRun) v1alpha1.SKUCounts {
	if run.SKUs == nil {
		return v1alpha1.SKUCounts{}
	}
	return *run.SKUs
}
