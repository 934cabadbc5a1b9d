package inventoryctl

import (
	"context"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

var pushing = v1alpha1.InventorySyncStatus{EffectiveMode: v1alpha1.ModeRealTimeAdjustment, Strategy: v1alpha1.StrategyIncremental}

// finishedRun is the lastRun the manager records for a run.
func finishedRun(job string, result v1alpha1.RunResult, counts v1alpha1.SKUCounts, failures ...v1alpha1.SKUFailure) *v1alpha1.SyncRun {
	start := metav1.NewTime(time.Now().Add(-12 * time.Second).Truncate(time.Second))
	end := metav1.NewTime(start.Add(12 * time.Second))
	return &v1alpha1.SyncRun{Job: job, Trigger: v1alpha1.TriggerFulfillmentManual, Result: result, StartTime: &start, CompletionTime: &end, SKUs: &counts, Failures: failures}
}

func TestSyncRequestsARunWaitsForItAndPrintsItsCounts(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	s := createSync(t, ns, "berlin", "shopify-eu", pushing)

	r := start("sync", "berlin", "-n", ns)
	token := requested(t, s, v1alpha1.SyncRequestedAtAnnotation)
	job := workload.ManualJobName("berlin", workload.KindFulfillmentManual, token)

	s.Status.LastHandledSyncRequest = token
	s.Status.Active = []v1alpha1.ActiveRun{{Job: job, Trigger: v1alpha1.TriggerFulfillmentManual}}
	updateStatus(t, s)
	eventually(t, "the progress line of the running run", func() bool { return strings.Contains(r.err.String(), "run "+job+" in progress") })
	select {
	case code := <-r.done:
		t.Fatalf("the plugin ended (%d) before the run did", code)
	default:
	}

	s.Status.Active = nil
	s.Status.LastRun = finishedRun(job, v1alpha1.RunSucceeded, v1alpha1.SKUCounts{Read: 10, Unchanged: 7, Updated: 3})
	updateStatus(t, s)
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit code %d, want 0; stderr: %s", code, r.err.String())
	}
	want := "berlin: run " + job + " Succeeded in 12s\n  read 10, updated 3, unchanged 7, skipped as duplicates 0, failed 0\n"
	if got := r.out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestSyncExitsOneAndListsTheFailuresOfAFailedRun(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	s := createSync(t, ns, "berlin", "shopify-eu", pushing)

	r := start("sync", "berlin", "-n", ns)
	token := requested(t, s, v1alpha1.SyncRequestedAtAnnotation)
	job := workload.ManualJobName("berlin", workload.KindFulfillmentManual, token)
	s.Status.LastHandledSyncRequest = token
	s.Status.LastRun = finishedRun(job, v1alpha1.RunFailed, v1alpha1.SKUCounts{Read: 3, Unchanged: 1, Failed: 2},
		v1alpha1.SKUFailure{SKU: "A-1", Reason: "ChannelRefused: item archived"}, v1alpha1.SKUFailure{SKU: "B-2", Reason: "ChannelRefused: quantity too large"})
	updateStatus(t, s)
	if code := r.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	for _, want := range []string{"Failed in 12s", "failed 2", "A-1", "ChannelRefused: item archived", "B-2"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, r.out.String())
		}
	}
	if !strings.Contains(r.err.String(), "1 of 1 runs did not succeed") {
		t.Errorf("stderr: %s", r.err.String())
	}
}

func TestSyncNoWaitOnlyRequests(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	s := createSync(t, ns, "berlin", "shopify-eu", pushing)
	r := start("sync", "berlin", "-n", ns, "--no-wait")
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, r.err.String())
	}
	if token := requested(t, s, v1alpha1.SyncRequestedAtAnnotation); token == "" {
		t.Fatal("no request")
	}
}

func TestSyncRefusesAModeThatPushesNoRunAndSaysWhatToDo(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	s := createSync(t, ns, "berlin", "shopify-eu", v1alpha1.InventorySyncStatus{EffectiveMode: v1alpha1.ModeDoNotSynchronize})
	r := start("sync", "berlin", "-n", ns)
	if code := r.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if want := "kubectl inventory sync --channel shopify-eu -n " + ns; !strings.Contains(r.err.String(), want) {
		t.Errorf("stderr lacks %q: %s", want, r.err.String())
	}
	if err := k8s.Get(context.Background(), keyOf(s), s); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Annotations[v1alpha1.SyncRequestedAtAnnotation]; ok {
		t.Error("a request the manager would drop was made")
	}
}

func TestSyncOfAMissingInventorySyncSaysHowToListThem(t *testing.T) {
	ns := newNamespace(t)
	r := start("sync", "nope", "-n", ns)
	if code := r.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if want := `InventorySync "nope" not found in namespace ` + ns + ": `kubectl inventory status -n " + ns + "`"; !strings.Contains(r.err.String(), want) {
		t.Errorf("stderr lacks %q: %s", want, r.err.String())
	}
}

func TestSyncChannelRunsEveryInventorySyncOfTheChannel(t *testing.T) {
	ns := newNamespace(t)
	ch := createChannel(t, ns, "shopify-eu")
	berlin := createSync(t, ns, "berlin", "shopify-eu", pushing)
	createSync(t, ns, "hamburg", "shopify-eu", pushing)
	createChannel(t, ns, "webshop")
	createSync(t, ns, "elsewhere", "webshop", pushing)

	r := start("sync", "--channel", "shopify-eu", "-n", ns)
	token := requested(t, ch, v1alpha1.SyncRequestedAtAnnotation)
	// The manager started berlin's run and refused hamburg's.
	job := workload.ManualJobName("berlin", workload.KindSalesChannelManual, token)
	createJob(t, ns, job)
	ch.Status.LastHandledSyncRequest = token
	if err := k8s.Status().Update(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	berlin.Status.LastRun = finishedRun(job, v1alpha1.RunSucceeded, v1alpha1.SKUCounts{Read: 4, Updated: 4})
	updateStatus(t, berlin)

	if code := r.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1 (hamburg did not run); stderr: %s", code, r.err.String())
	}
	out := r.out.String()
	for _, want := range []string{"berlin: run " + job + " Succeeded", "read 4, updated 4", "hamburg: not started: `kubectl describe inventorysync -n " + ns + " hamburg`"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "elsewhere") {
		t.Errorf("another channel's sync was waited for:\n%s", out)
	}
}

func createJob(t *testing.T, ns, name string) {
	t.Helper()
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "sync", Image: "registry.example/inventory-operator:test"}},
		}}},
	}
	if err := k8s.Create(context.Background(), job); err != nil {
		t.Fatal(err)
	}
}

func TestSyncSaysWhatAQueuedRunWaitsForAndASupersededRunExitsZero(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	s := createSync(t, ns, "berlin", "shopify-eu", pushing)

	r := start("sync", "berlin", "-n", ns)
	token := requested(t, s, v1alpha1.SyncRequestedAtAnnotation)
	job := workload.ManualJobName("berlin", workload.KindFulfillmentManual, token)

	queued := "manual sync " + token + " waits for Job berlin-29000000 to end: one run of an InventorySync at a time"
	s.Status.Active = []v1alpha1.ActiveRun{{Job: "berlin-29000000", Trigger: v1alpha1.TriggerFulfillmentRecurring}}
	s.Status.Conditions = []metav1.Condition{{Type: v1alpha1.ConditionRunQueued, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonRunInProgress,
		Message: queued, LastTransitionTime: metav1.Now()}}
	updateStatus(t, s)
	eventually(t, "the progress line of the queued run", func() bool { return strings.Contains(r.err.String(), queued) })

	s.Status.Active, s.Status.Conditions = nil, nil
	s.Status.LastHandledSyncRequest = token
	s.Status.LastRun = finishedRun(job, v1alpha1.RunSuperseded, v1alpha1.SKUCounts{})
	s.Status.LastRun.Message = "superseded: the feeds' snapshot 2026-12-06T11:00:00Z is older than the snapshot 2026-12-06T12:00:00Z an earlier run wrote; nothing written"
	updateStatus(t, s)
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit code %d, want 0: the channel already shows newer levels; stderr: %s", code, r.err.String())
	}
	for _, want := range []string{"Superseded in 12s", "nothing written"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, r.out.String())
		}
	}
}
