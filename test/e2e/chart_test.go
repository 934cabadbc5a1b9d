//go:build e2e

package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/internal/devdeploy"
	"github.com/techoms/inventory-operator/internal/helmchart"
)

// chartLease is the Lease the manager holds while it leads (cmd/inventory-operator).
const chartLease = "inventory-operator.inventory.techoms.io"

// The chart, rendered by Helm's engine for a release of its own, installs a manager that
// becomes Ready and takes its lease, under the chart's ServiceAccount and RBAC, in a
// namespace the chart creates with the restricted Pod Security level. The manager watches
// only a namespace of its own (namespaced mode), so it leaves the suite's objects to the
// suite's manager; its CRDs are the ones already installed, applied again unchanged.
func TestChartInstallsAManagerThatBecomesReady(t *testing.T) {
	watched := newNamespace(t)
	rel := helmchart.Release{Name: "e2e-chart", Namespace: "e2e-chart-system"}
	ctx := context.Background()
	objs, err := helmchart.Install(ctx, k8s, filepath.Join(repoRoot(), "charts", "inventory-operator"), rel, map[string]any{
		"image":   helmchart.ImageValues(operatorImage),
		"manager": map[string]any{"watchNamespaces": []any{watched}},
	})
	t.Cleanup(func() { uninstallChart(t, objs) })
	if err != nil {
		t.Fatal(err)
	}

	var ns corev1.Namespace
	if err := k8s.Get(ctx, client.ObjectKey{Name: rel.Namespace}, &ns); err != nil {
		t.Fatal(err)
	}
	if got := ns.Labels["pod-security.kubernetes.io/enforce"]; got != "restricted" {
		t.Errorf("namespace %s enforces %q, want restricted", rel.Namespace, got)
	}
	deployment := client.ObjectKey{Namespace: rel.Namespace, Name: "e2e-chart-inventory-operator-controller-manager"}
	if err := devdeploy.WaitAvailable(ctx, k8s, deployment, 3*time.Minute); err != nil {
		t.Fatalf("%v%s", err, podLogsOf(rel.Namespace))
	}
	var pods corev1.PodList
	if err := k8s.List(ctx, &pods, client.InNamespace(rel.Namespace),
		client.MatchingLabels{"app.kubernetes.io/name": "inventory-operator", "app.kubernetes.io/component": "manager"}); err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 1 {
		t.Fatalf("%d manager pods, want 1", len(pods.Items))
	}
	pod := pods.Items[0]
	if img := pod.Spec.Containers[0].Image; img != operatorImage {
		t.Errorf("manager runs %s, want %s", img, operatorImage)
	}
	ready := false
	for _, c := range pod.Status.Conditions {
		ready = ready || (c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue)
	}
	if !ready {
		t.Errorf("pod %s is not Ready: %v", pod.Name, pod.Status.Conditions)
	}
	// Its Role in its namespace lets it lead: the Lease names its pod.
	eventually(t, time.Minute, "the manager to hold its lease", func() (bool, string) {
		var lease coordinationv1.Lease
		if err := k8s.Get(ctx, client.ObjectKey{Namespace: rel.Namespace, Name: chartLease}, &lease); err != nil {
			return false, err.Error()
		}
		holder := ""
		if lease.Spec.HolderIdentity != nil {
			holder = *lease.Spec.HolderIdentity
		}
		return strings.HasPrefix(holder, pod.Name), "holder " + holder
	})
}

// uninstallChart deletes what the chart installed, as `helm uninstall` does: all but the
// objects annotated helm.sh/resource-policy: keep (the CRDs, which the suite still needs).
func uninstallChart(t *testing.T, objs []*unstructured.Unstructured) {
	ctx := context.Background()
	for _, obj := range objs {
		if obj.GetAnnotations()["helm.sh/resource-policy"] == "keep" {
			continue
		}
		if err := k8s.Delete(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("uninstall %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
	}
}
