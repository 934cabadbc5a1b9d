package helmchart

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/techoms/inventory-operator/internal/devdeploy"
)

const (
	repoRoot  = "../.."
	chartDir  = repoRoot + "/charts/inventory-operator"
	configDir = repoRoot + "/config"
)

// defaultRelease is the release that names objects as config/default does.
var defaultRelease = Release{Name: "inventory-operator", Namespace: devdeploy.ManagerNamespace}

// optionalPieces turns on every optional part of the chart.
var optionalPieces = map[string]any{
	"relay":            map[string]any{"enabled": true},
	"manager":          map[string]any{"watchNamespaces": []any{"retail"}},
	"prometheus":       map[string]any{"enabled": true},
	"grafanaDashboard": map[string]any{"enabled": true},
	"networkPolicy":    map[string]any{"syncEgressNamespaces": []any{"retail"}},
}

func TestChartLintsClean(t *testing.T) {
	for name, values := range map[string]map[string]any{"defaults": nil, "every optional piece": optionalPieces} {
		result := lint.RunAll(chartDir, values, devdeploy.ManagerNamespace)
		for _, msg := range result.Messages {
			if msg.Severity >= support.WarningSev {
				t.Errorf("%s: %s", name, msg)
			}
		}
	}
}

// The chart's files/ are copies `make manifests` takes of generated and static manifests in
// config/, so the chart installs the same CRD schemas, RBAC rules and policies.
func TestChartFilesAreCopiesOfConfig(t *testing.T) {
	copies := map[string]string{
		"rbac/role.yaml":                       "rbac/role.yaml",
		"admission/saleschannel_warnings.yaml": "admission/saleschannel_warnings.yaml",
		"prometheus/rules.yaml":                "prometheus/rules.yaml",
		"grafana/inventory-operator.json":      "grafana/inventory-operator.json",
		"networkpolicy/sync_egress.yaml":       "networkpolicy/sync_egress.yaml",
		"networkpolicy/sync_to_relay.yaml":     "networkpolicy/sync_to_relay.yaml",
	}
	crds, err := filepath.Glob(filepath.Join(configDir, "crd", "bases", "*.yaml"))
	if err != nil || len(crds) == 0 {
		t.Fatalf("no CRDs in config/crd/bases: %v", err)
	}
	for _, crd := range crds {
		copies["crds/"+filepath.Base(crd)] = "crd/bases/" + filepath.Base(crd)
	}
	inChart, err := filepath.Glob(filepath.Join(chartDir, "files", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inChart) != len(copies) {
		t.Errorf("the chart's files/ holds %d files, config/ %d to copy: run make manifests", len(inChart), len(copies))
	}
	for chartFile, source := range copies {
		want, err := os.ReadFile(filepath.Join(configDir, source))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(chartDir, "files", chartFile))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("charts/inventory-operator/files/%s is not config/%s: run make manifests (%v)", chartFile, source, err)
		}
	}
}

// The chart and the kustomizations describe the same objects, field for field, but for the
// labels and annotations only Helm adds.
func TestChartRendersWhatConfigInstalls(t *testing.T) {
	defaultDir := filepath.Join(configDir, "default")
	for _, tc := range []struct {
		name     string
		values   map[string]any
		overlays []devdeploy.Overlay
	}{
		{"defaults", nil, []devdeploy.Overlay{{Base: defaultDir}}},
		{"relay", map[string]any{"relay": map[string]any{"enabled": true}}, []devdeploy.Overlay{
			{Base: defaultDir},
			{Base: filepath.Join(configDir, "relay"), Namespace: devdeploy.ManagerNamespace},
		}},
		{"namespaced", map[string]any{"manager": map[string]any{"watchNamespaces": []any{"retail"}}}, []devdeploy.Overlay{
			{Base: filepath.Join(configDir, "namespaced")},
		}},
		{"prometheus and grafana", map[string]any{
			"prometheus":       map[string]any{"enabled": true},
			"grafanaDashboard": map[string]any{"enabled": true},
		}, []devdeploy.Overlay{{Base: defaultDir, Namespace: devdeploy.ManagerNamespace, Components: []string{
			filepath.Join(configDir, "prometheus"), filepath.Join(configDir, "grafana"),
		}}}},
		{"sync egress", map[string]any{"networkPolicy": map[string]any{"syncEgressNamespaces": []any{"retail"}}}, []devdeploy.Overlay{
			{Base: defaultDir},
			{Base: filepath.Join(configDir, "networkpolicy"), Namespace: "retail"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rendered, err := Render(chartDir, defaultRelease, tc.values)
			if err != nil {
				t.Fatal(err)
			}
			var built []*unstructured.Unstructured
			for _, o := range tc.overlays {
				objs, err := devdeploy.Render(o)
				if err != nil {
					t.Fatal(err)
				}
				built = append(built, objs...)
			}
			chart, config := byKey(t, rendered), byKey(t, built)
			for key, want := range config {
				got, ok := chart[key]
				if !ok {
					t.Errorf("config installs %s, the chart does not", key)
					continue
				}
				if diff := cmp.Diff(want, withoutHelmMetadata(got)); diff != "" {
					t.Errorf("%s differs (-config +chart):\n%s", key, diff)
				}
			}
			for key := range chart {
				if _, ok := config[key]; !ok {
					t.Errorf("the chart installs %s, config does not", key)
				}
			}
		})
	}
}

func TestChartImageIsOneValue(t *testing.T) {
	values := map[string]any{
		"image": map[string]any{"repository": "registry.example.test/inventory-operator", "tag": "v1.2.3"},
		"relay": map[string]any{"enabled": true},
	}
	objs, err := Render(chartDir, defaultRelease, values)
	if err != nil {
		t.Fatal(err)
	}
	workloads := 0
	for _, obj := range objs {
		containers, found, err := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "containers")
		if err != nil || !found {
			continue
		}
		workloads++
		for _, c := range containers {
			if img := c.(map[string]any)["image"]; img != "registry.example.test/inventory-operator:v1.2.3" {
				t.Errorf("%s %s runs %v", obj.GetKind(), obj.GetName(), img)
			}
		}
	}
	// The manager (whose sync Jobs take its image), the relay and the ledger.
	if workloads != 3 {
		t.Errorf("%d workloads, want 3", workloads)
	}
}

func TestChartCRDsAreKeptOnUninstallUnlessAsked(t *testing.T) {
	for _, tc := range []struct {
		crds     map[string]any
		wantCRDs int
		wantKept bool
	}{
		{nil, 2, true},
		{map[string]any{"keep": false}, 2, false},
		{map[string]any{"install": false}, 0, false},
	} {
		var values map[string]any
		if tc.crds != nil {
			values = map[string]any{"crds": tc.crds}
		}
		objs, err := Render(chartDir, defaultRelease, values)
		if err != nil {
			t.Fatal(err)
		}
		crds := 0
		for _, obj := range objs {
			if obj.GetKind() != "CustomResourceDefinition" {
				continue
			}
			crds++
			if kept := obj.GetAnnotations()["helm.sh/resource-policy"] == "keep"; kept != tc.wantKept {
				t.Errorf("crds=%v: %s kept on uninstall: %t, want %t", tc.crds, obj.GetName(), kept, tc.wantKept)
			}
		}
		if crds != tc.wantCRDs {
			t.Errorf("crds=%v: %d CRDs, want %d", tc.crds, crds, tc.wantCRDs)
		}
	}
}

// A second release in another namespace gets its own cluster-scoped names.
func TestChartReleaseNamesClusterScopedObjects(t *testing.T) {
	objs, err := Render(chartDir, Release{Name: "shop-b", Namespace: "shop-b"}, map[string]any{"relay": map[string]any{"enabled": true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range objs {
		if obj.GetNamespace() != "" || obj.GetKind() == "CustomResourceDefinition" || obj.GetKind() == "Namespace" {
			continue
		}
		if !strings.HasPrefix(obj.GetName(), "shop-b-inventory-") {
			t.Errorf("%s %s is not named for its release", obj.GetKind(), obj.GetName())
		}
	}
}

func TestChartSchemaRejectsBadValues(t *testing.T) {
	for name, values := range map[string]map[string]any{
		"unknown key":           {"replicas": 2},
		"namespace not a label": {"manager": map[string]any{"watchNamespaces": []any{"Retail Team"}}},
		"argument not a flag":   {"manager": map[string]any{"extraArgs": []any{"; rm -rf /"}}},
		"image with a space":    {"image": map[string]any{"repository": "ghcr.io/a b"}},
		"replicas not a number": {"relay": map[string]any{"replicas": "two"}},
	} {
		if _, err := Render(chartDir, defaultRelease, values); err == nil {
			t.Errorf("%s: rendered, want a schema error", name)
		} else if !strings.Contains(err.Error(), "schema") {
			t.Errorf("%s: %v, want a schema error", name, err)
		}
	}
}

func key(obj *unstructured.Unstructured) string {
	return obj.GroupVersionKind().GroupKind().String() + " " + obj.GetNamespace() + "/" + obj.GetName()
}

func byKey(t *testing.T, objs []*unstructured.Unstructured) map[string]*unstructured.Unstructured {
	t.Helper()
	m := make(map[string]*unstructured.Unstructured, len(objs))
	for _, obj := range objs {
		if _, dup := m[key(obj)]; dup {
			t.Errorf("%s twice", key(obj))
		}
		m[key(obj)] = obj
	}
	return m
}

// helmMetadata are the labels and annotations the chart adds to what config/ has.
var helmMetadata = []string{"helm.sh/chart", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "helm.sh/resource-policy"}

func withoutHelmMetadata(obj *unstructured.Unstructured) *unstructured.Unstructured {
	out := obj.DeepCopy()
	labels, annotations := out.GetLabels(), out.GetAnnotations()
	for _, k := range helmMetadata {
		delete(labels, k)
		delete(annotations, k)
	}
	for field, m := range map[string]map[string]string{"labels": labels, "annotations": annotations} {
		if len(m) == 0 {
			unstructured.RemoveNestedField(out.Object, "metadata", field)
		}
	}
	if len(labels) > 0 {
		out.SetLabels(labels)
	}
	if len(annotations) > 0 {
		out.SetAnnotations(annotations)
	}
	return out
}

func TestImageValuesKeepARegistryPortInTheName(t *testing.T) {
	for ref, want := range map[string][2]string{
		"ghcr.io/techoms/inventory-operator:dev":    {"ghcr.io/techoms/inventory-operator", "dev"},
		"registry.local:5000/inventory-operator:v1": {"registry.local:5000/inventory-operator", "v1"},
		"registry.local:5000/inventory-operator":    {"registry.local:5000/inventory-operator", ""},
	} {
		got := ImageValues(ref)
		if got["repository"] != want[0] || got["tag"] != want[1] {
			t.Errorf("ImageValues(%q) = %v, want %v", ref, got, want)
		}
	}
}
