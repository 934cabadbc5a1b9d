//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/devdeploy"
	"github.com/techoms/inventory-operator/internal/workload"
)

// The manager's pod is deleted while a run is in progress; the run's result still reaches the
// InventorySync's status once the Deployment's new pod has taken over.
func TestManagerPodDeletedDuringARunLosesNothing(t *testing.T) {
	// Not parallel: the other tests' runs would wait for the manager too.
	ns := newNamespace(t)
	s := newShop(t, ns, stockLine{"SKU-1", 1}, stockLine{"SKU-2", 2})
	// The feed holds the run until the old manager is gone.
	release := make(chan struct{})
	requested := make(chan struct{})
	var once sync.Once
	feedURL := serveOnBridge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(requested) })
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write([]byte("sku,quantity\nSKU-1,10\nSKU-2,20\n"))
	}))
	ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	newSync(t, ns, "once", ch, &feed{url: feedURL + "/levels.csv"}, s, "")
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	eventually(t, runTimeout, "the sync pod reading the feed", func() (bool, string) {
		select {
		case <-requested:
			return true, ""
		default:
			return false, "no feed request yet"
		}
	})
	old := managerPod(t)
	ctx := context.Background()
	if err := k8s.Delete(ctx, old); err != nil {
		t.Fatal(err)
	}
	eventually(t, runTimeout, "the old manager pod gone and a new one ready", func() (bool, string) {
		var gone corev1.Pod
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(old), &gone); err == nil && gone.UID == old.UID {
			return false, "old pod still there"
		}
		p := readyManagerPod(t)
		return p != nil && p.UID != old.UID, "no new ready pod"
	})
	if got := getSync(t, ns, "once").Status.LastRun; got != nil {
		t.Fatalf("a run was recorded before the sync pod finished: %+v", *got)
	}
	close(release)

	sync := waitRun(t, ns, "once", runTimeout, "the run's result", func(*v1alpha1.SyncRun) bool { return true })
	run := sync.Status.LastRun
	if run.Result != v1alpha1.RunSucceeded {
		t.Fatalf("run %s: %s (%s)", run.Job, run.Result, run.Message)
	}
	if got, want := counts(run), (v1alpha1.SKUCounts{Read: 2, Updated: 2}); got != want {
		t.Errorf("run counts %+v, want %+v", got, want)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {10}, "SKU-2": {20}})
}

// managerPod is the manager Deployment's pod (the newest, should there be two).
func managerPod(t *testing.T) *corev1.Pod {
	t.Helper()
	var pods corev1.PodList
	if err := k8s.List(context.Background(), &pods, client.InNamespace(devdeploy.ManagerNamespace)); err != nil {
		t.Fatal(err)
	}
	var newest *corev1.Pod
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.DeletionTimestamp == nil && (newest == nil || p.CreationTimestamp.After(newest.CreationTimestamp.Time)) {
			newest = p
		}
	}
	if newest == nil {
		t.Fatal("no manager pod")
	}
	return newest
}

// readyManagerPod is a manager pod that is Ready and not being deleted, or nil.
func readyManagerPod(t *testing.T) *corev1.Pod {
	t.Helper()
	var pods corev1.PodList
	if err := k8s.List(context.Background(), &pods, client.InNamespace(devdeploy.ManagerNamespace)); err != nil {
		t.Fatal(err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		for _, c := range p.Status.Conditions {
			if p.DeletionTimestamp == nil && c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return p
			}
		}
	}
	return nil
}

// syncMemoryLimit is the manager's --sync-memory-limit in this suite.
const syncMemoryLimit = "64Mi"

// A sync pod that exceeds its memory limit is killed by the kernel; the run shows as failed
// with a reason. The feed's caps keep a parse within the default limit, so the suite's manager
// gives sync pods a lower one (syncMemoryLimit), which a feed within the caps exceeds.
func TestSyncPodKilledForMemoryFailsTheRun(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	s := newShop(t, ns, stockLine{"SKU-1", 1})
	// A feed of distinct SKUs: the pod holds every one and passes its limit before the caps.
	feedURL := serveOnBridge(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		buf := []byte("sku,quantity\n")
		for i := 0; r.Context().Err() == nil; i++ {
			buf = fmt.Appendf(buf, "SKU-%012d,1\n", i)
			if len(buf) > 64<<10 {
				if _, err := w.Write(buf); err != nil {
					return
				}
				buf = buf[:0]
			}
		}
	}))
	ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	newSync(t, ns, "once", ch, &feed{url: feedURL + "/levels.csv"}, s, "")

	sync := waitRun(t, ns, "once", 2*runTimeout, "a failed run", func(r *v1alpha1.SyncRun) bool {
		return r.Result == v1alpha1.RunFailed
	})
	run := sync.Status.LastRun
	t.Logf("failed run: %s", run.Message)
	if !strings.Contains(run.Message, "OOMKilled") {
		t.Errorf("the failed run's reason %q does not say the sync pod was killed for memory", run.Message)
	}
	var pods corev1.PodList
	if err := k8s.List(context.Background(), &pods, client.InNamespace(ns), client.MatchingLabels{workload.LabelInventorySync: "once"}); err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, p := range pods.Items {
		for _, c := range p.Status.ContainerStatuses {
			if c.State.Terminated != nil {
				reasons = append(reasons, c.State.Terminated.Reason)
			}
		}
	}
	if !strings.Contains(strings.Join(reasons, ","), "OOMKilled") {
		t.Errorf("sync pods ended with %v, want OOMKilled", reasons)
	}
	if got := s.availableBySKU("SKU-1"); got[0] != 1 {
		t.Errorf("SKU-1 at %d after the run was killed, want 1", got[0])
	}
}

// A sync pod's output is read through the API server from the kubelet, as kubectl logs
// does; it names the run, whose identifier the kubelet expanded from the pod's labels.
func TestSyncPodLogs(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	s := newShop(t, ns, stockLine{"SKU-1", 1})
	ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	newSync(t, ns, "once", ch, newFeed(t, "sku,quantity\nSKU-1,5\n"), s, "")
	sync := waitRun(t, ns, "once", runTimeout, "the one-off run", func(*v1alpha1.SyncRun) bool { return true })
	ctx := context.Background()
	var job batchv1.Job
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: sync.Status.LastRun.Job}, &job); err != nil {
		t.Fatal(err)
	}
	var pods corev1.PodList
	if err := k8s.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels{batchv1.ControllerUidLabel: string(job.UID)}); err != nil || len(pods.Items) == 0 {
		t.Fatalf("pods of Job %s: %d (%v)", job.Name, len(pods.Items), err)
	}
	out, err := clientset.CoreV1().Pods(ns).GetLogs(pods.Items[0].Name, &corev1.PodLogOptions{TailLines: ptr.To[int64](100)}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("logs of %s: %v", pods.Items[0].Name, err)
	}
	if !strings.Contains(string(out), "sync run finished") || !strings.Contains(string(out), `"runID":"`+string(job.UID)+`"`) {
		t.Errorf("logs of %s do not show the finished run %s:\n%s", pods.Items[0].Name, job.UID, out)
	}
}
