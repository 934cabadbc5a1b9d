//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// A run requested while another run of the sync is in progress waits for it (RunQueued),
// and then, its feed holding an older snapshot than the one the first run wrote, writes
// nothing and reports Superseded.
func TestARequestedRunWaitsAndNeverWritesAnOlderSnapshot(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	s := newShop(t, ns, stockLine{"SKU-1", 1})
	newer := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	older := newer.Add(-time.Hour)
	// The first read (run-1's) gets the newer snapshot; every later one an older snapshot.
	gate := &gatedFeed{release: make(chan struct{}), pages: []feedPage{
		{lastModified: newer, csv: "sku,quantity\nSKU-1,10\n"},
		{lastModified: older, csv: "sku,quantity\nSKU-1,99\n"},
	}}
	t.Cleanup(gate.open)
	url := serveOnBridge(t, gate) + "/levels.csv"
	ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	// A yearly schedule: the runs here are requested by hand.
	sync := newSync(t, ns, "yearly", ch, &feed{url: url}, s, "0 0 1 1 *")

	requestSync(t, sync, "run-1")
	eventually(t, runTimeout, "run-1 reading its feed", func() (bool, string) {
		return gate.reads() > 0, fmt.Sprintf("%d reads", gate.reads())
	})
	requestSync(t, getSync(t, ns, sync.Name), "run-2")
	eventually(t, runTimeout, "run-2 queued behind run-1", func() (bool, string) {
		c := condition(getSync(t, ns, sync.Name).Status.Conditions, v1alpha1.ConditionRunQueued)
		return c != nil && c.Status == metav1.ConditionTrue && c.Reason == v1alpha1.ReasonRunInProgress, condString(c)
	})
	if active := getSync(t, ns, sync.Name).Status.Active; len(active) != 1 {
		t.Fatalf("%d runs active while run-2 waits, want run-1 alone: %+v", len(active), active)
	}

	gate.open()
	first := waitRun(t, ns, sync.Name, runTimeout, "run-1", func(r *v1alpha1.SyncRun) bool { return r.Result != "" })
	if run := first.Status.LastRun; run.Result != v1alpha1.RunSucceeded {
		t.Fatalf("run-1: %s (%s)", run.Result, run.Message)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {10}})
	firstJob := first.Status.LastRun.Job

	second := waitRun(t, ns, sync.Name, runTimeout, "run-2", func(r *v1alpha1.SyncRun) bool { return r.Job != firstJob })
	if run := second.Status.LastRun; run.Result != v1alpha1.RunSuperseded {
		t.Errorf("run-2: %s (%s), want Superseded", run.Result, run.Message)
	}
	if c := condition(second.Status.Conditions, v1alpha1.ConditionRunQueued); c != nil && c.Status == metav1.ConditionTrue {
		t.Errorf("RunQueued still %s after run-2 ran", condString(c))
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {10}})
}

// gatedFeed serves a CSV feed with a Last-Modified: the nth request gets the nth page, or
// the last; until opened, requests wait.
type gatedFeed struct {
	release chan struct{}
	once    sync.Once
	pages   []feedPage
	mu      sync.Mutex
	served  int
}

type feedPage struct {
	lastModified time.Time
	csv          string
}

func (f *gatedFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	page := f.pages[min(f.served, len(f.pages)-1)]
	f.served++
	f.mu.Unlock()
	select {
	case <-f.release:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Last-Modified", page.lastModified.Format(http.TimeFormat))
	_, _ = w.Write([]byte(page.csv))
}

func (f *gatedFeed) open() { f.once.Do(func() { close(f.release) }) }

func (f *gatedFeed) reads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.served
}
