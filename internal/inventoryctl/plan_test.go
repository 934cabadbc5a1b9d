package inventoryctl

import (
	"encoding/json"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

// answerPlan plays the manager: it takes the plan request, then reports the plan.
func answerPlan(t *testing.T, s *v1alpha1.InventorySync, r *run, counts v1alpha1.SKUCounts, changes ...v1alpha1.PlannedChange) *v1alpha1.SyncPlan {
	t.Helper()
	token := requested(t, s, v1alpha1.PlanRequestedAtAnnotation)
	job := workload.ManualJobName(s.Name, workload.KindPlan, token)
	s.Status.LastHandledPlanRequest = token
	s.Status.LastPlan = &v1alpha1.SyncPlan{Job: job, RequestedAt: token}
	updateStatus(t, s)
	eventually(t, "the plan's progress line", func() bool { return strings.Contains(r.err.String(), "plan "+job+" in progress") })
	done := finishedRun(job, v1alpha1.RunSucceeded, counts)
	s.Status.LastPlan = &v1alpha1.SyncPlan{Job: job, RequestedAt: token, StartTime: done.StartTime, CompletionTime: done.CompletionTime,
		Result: v1alpha1.RunSucceeded, SKUs: &counts, Changes: changes}
	updateStatus(t, s)
	return s.Status.LastPlan
}

func TestPlanPrintsTheChangesAndExitsTwoWhenARunWouldChangeSomething(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	s := createSync(t, ns, "berlin", "shopify-eu", pushing)

	r := start("plan", "berlin", "-n", ns, "--exit-code")
	answerPlan(t, s, r, v1alpha1.SKUCounts{Read: 40, Unchanged: 28, Updated: 12},
		v1alpha1.PlannedChange{SKU: "A-100", From: 3, To: 7}, v1alpha1.PlannedChange{SKU: "B-200", From: 10, To: 5, Feed: 20})
	if code := r.wait(t); code != 2 {
		t.Fatalf("exit code %d, want 2; stderr: %s", code, r.err.String())
	}
	want := `SKU     FROM   TO   CHANGE   WHY
A-100   3      7    +4       feeds
B-200   10     5    -5       allocation rules (feeds: 20)
(the first 2 of 12 changes)
a run would update 12 SKUs: read 40, updated 12, unchanged 28, skipped as duplicates 0, failed 0
`
	if got := r.out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestPlanExitsZeroWhenARunWouldChangeNothing(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	s := createSync(t, ns, "berlin", "shopify-eu", pushing)
	r := start("plan", "berlin", "-n", ns, "--exit-code")
	answerPlan(t, s, r, v1alpha1.SKUCounts{Read: 40, Unchanged: 40})
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit code %d, want 0; stderr: %s", code, r.err.String())
	}
	if got, want := r.out.String(), "a run would change nothing: read 40, updated 0, unchanged 40, skipped as duplicates 0, failed 0\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestPlanPrintsTheLastPlanAsJSONOrYAML(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	s := createSync(t, ns, "berlin", "shopify-eu", pushing)
	for _, format := range []string{"json", "yaml"} {
		r := start("plan", "berlin", "-n", ns, "-o", format)
		want := answerPlan(t, s, r, v1alpha1.SKUCounts{Read: 2, Unchanged: 1, Updated: 1}, v1alpha1.PlannedChange{SKU: "A-100", From: 3, To: 7})
		if code := r.wait(t); code != 0 {
			t.Fatalf("%s: exit code %d, want 0 without --exit-code; stderr: %s", format, code, r.err.String())
		}
		var got v1alpha1.SyncPlan
		var err error
		if format == "json" {
			err = json.Unmarshal([]byte(r.out.String()), &got)
		} else {
			err = yaml.UnmarshalStrict([]byte(r.out.String()), &got)
		}
		if err != nil {
			t.Fatalf("%s: %v in:\n%s", format, err, r.out.String())
		}
		if got.Job != want.Job || got.RequestedAt != want.RequestedAt || *got.SKUs != *want.SKUs || len(got.Changes) != 1 || got.Changes[0] != want.Changes[0] {
			t.Errorf("%s: got %+v, want %+v", format, got, *want)
		}
	}
}

func TestPlanThatFailedExitsOneWithWhereToLook(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	s := createSync(t, ns, "berlin", "shopify-eu", pushing)
	r := start("plan", "berlin", "-n", ns, "--exit-code")
	token := requested(t, s, v1alpha1.PlanRequestedAtAnnotation)
	job := workload.ManualJobName("berlin", workload.KindPlan, token)
	s.Status.LastPlan = &v1alpha1.SyncPlan{Job: job, RequestedAt: token, Result: v1alpha1.RunFailed, Message: "feed warehouse-berlin: line 3: quantity is not an integer"}
	updateStatus(t, s)
	if code := r.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	for _, want := range []string{"quantity is not an integer", "kubectl logs -n " + ns + " job/" + job} {
		if !strings.Contains(r.err.String(), want) {
			t.Errorf("stderr lacks %q: %s", want, r.err.String())
		}
	}
}

func TestPlanRefusesAnUnknownOutputFormat(t *testing.T) {
	r := start("plan", "berlin", "-o", "table")
	if code := r.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !strings.Contains(r.err.String(), "use -o json or -o yaml") {
		t.Errorf("stderr: %s", r.err.String())
	}
}

func TestPlanThatOutlivesTheTimeoutSaysTheRequestStands(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	createSync(t, ns, "berlin", "shopify-eu", pushing)
	r := start("plan", "berlin", "-n", ns, "--timeout", "300ms")
	if code := r.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	for _, want := range []string{"still waiting after 300ms", "the request stands", "kubectl inventory status"} {
		if !strings.Contains(r.err.String(), want) {
			t.Errorf("stderr lacks %q: %s", want, r.err.String())
		}
	}
}
