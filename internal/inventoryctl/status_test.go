package inventoryctl

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func TestStatusPrintsOneLinePerInventorySync(t *testing.T) {
	ns := newNamespace(t)
	createChannel(t, ns, "shopify-eu")
	next := metav1.NewTime(time.Now().Add(10*time.Minute + 30*time.Second))
	ok := pushing
	ok.NextSyncTime = &next
	ok.LastRun = finishedRun("berlin-29000000", v1alpha1.RunSucceeded, v1alpha1.SKUCounts{Read: 1, Unchanged: 1})
	// Twenty and a half minutes ago prints as "20m" for thirty seconds: the
	// API server keeps whole seconds, and the test takes a moment.
	ended := metav1.NewTime(time.Now().Add(-20*time.Minute - 30*time.Second))
	ok.LastRun.CompletionTime = &ended
	ok.Drift = &v1alpha1.DriftStatus{State: v1alpha1.DriftDrifted, SKUs: 4}
	berlin := createSync(t, ns, "berlin", "shopify-eu", ok)
	berlin.Spec.DriftCheck = &v1alpha1.DriftCheck{Schedule: "0 3 * * *"}
	if err := k8s.Update(t.Context(), berlin); err != nil {
		t.Fatal(err)
	}
	blocked := v1alpha1.InventorySyncStatus{Conditions: []metav1.Condition{{
		Type: v1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonSecretNotFound,
		Message: `Secret "shopify-eu-admin" (credentials of SalesChannel shopify-eu) does not exist`, LastTransitionTime: metav1.Now(),
	}, {
		Type: v1alpha1.ConditionSuspended, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonSecretNotFound,
		Message: "scheduled runs are stopped", LastTransitionTime: metav1.Now(),
	}}}
	createSync(t, ns, "hamburg", "shopify-eu", blocked)

	r := start("status", "-n", ns)
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, r.err.String())
	}
	lines := strings.Split(strings.TrimSpace(r.out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and two lines:\n%s", r.out.String())
	}
	fields := strings.Fields(lines[0])
	if strings.Join(fields, " ") != "NAME CHANNEL MODE LAST RUN NEXT RUN DRIFT BLOCKED" {
		t.Errorf("header: %s", lines[0])
	}
	for _, want := range []string{"berlin", "shopify-eu", "RealTimeAdjustment", "Succeeded 20m ago", "in 10m", "Drifted (4 SKUs)"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("berlin's line lacks %q: %s", want, lines[1])
		}
	}
	for _, want := range []string{"hamburg", "suspended", `SecretNotFound: Secret "shopify-eu-admin"`} {
		if !strings.Contains(lines[2], want) {
			t.Errorf("hamburg's line lacks %q: %s", want, lines[2])
		}
	}
}

func TestStatusAllNamespacesNamesTheNamespace(t *testing.T) {
	a, b := newNamespace(t), newNamespace(t)
	createChannel(t, a, "shopify-eu")
	createSync(t, a, "berlin", "shopify-eu", pushing)
	createChannel(t, b, "webshop")
	createSync(t, b, "paris", "webshop", pushing)

	r := start("status", "-A")
	if code := r.wait(t); code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, r.err.String())
	}
	out := r.out.String()
	if !strings.HasPrefix(out, "NAMESPACE ") {
		t.Errorf("no NAMESPACE column:\n%s", out)
	}
	for _, want := range [][2]string{{a, "berlin"}, {b, "paris"}} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			found = found || (len(f) > 2 && f[0] == want[0] && f[1] == want[1])
		}
		if !found {
			t.Errorf("no line for %s/%s:\n%s", want[0], want[1], out)
		}
	}

	r = start("status", "-n", newNamespace(t))
	if code := r.wait(t); code != 0 || !strings.HasPrefix(r.out.String(), "no InventorySyncs in namespace ") {
		t.Errorf("empty namespace: exit code %d, output %q", code, r.out.String())
	}
}

func TestStatusWithoutRBACSaysWhatIsMissing(t *testing.T) {
	var out, errOut syncBuffer
	code := Main([]string{"status", "-A", "--kubeconfig", nobodyKubeconfig}, Streams{Out: &out, Err: &errOut})
	if code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	want := "you may not list inventorysyncs in every namespace: ask for a role that grants it (`kubectl auth can-i list inventorysyncs -A` checks)"
	if !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr lacks %q: %s", want, errOut.String())
	}
}
