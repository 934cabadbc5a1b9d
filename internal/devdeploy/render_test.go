package devdeploy

import (
	"fmt"

	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func containerImages(t *testing.T, obj *unstructured.Unstructured) []string {
	t.Helper()
	containers, _, err := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "containers")
	if err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, c := range containers {
		images = append(images, c.(map[string]any)["image"].(string))
	}
	return images
}

func TestRenderPutsTheLocalImageInEveryDeployment(t *testing.T) {
	for _, tc := range []struct {
		base, namespace string
		replicas        map[string]int64
	}{
		{"../../config/default", "", nil},
		{"../../config/relay", "shop-a", map[string]int64{RelayDeployment: 1}},
	} {
		objs, err := Render(Overlay{Base: tc.base, Image: "example.test/operator:local", Namespace: tc.namespace,
			Replicas: tc.replicas})
		if err != nil {
			t.Fatalf("%s: %v", tc.base, err)
		}
		deployments := 0
		for _, obj := range objs {
			if obj.GetKind() == "StatefulSet" {
				// The relay's ledger runs from the same image.
				for _, img := range containerImages(t, obj) {
					if img != "example.test/operator:local" {
						t.Errorf("%s: StatefulSet %s runs %s", tc.base, obj.GetName(), img)
					}
				}
			}
			if obj.GetKind() != "Deployment" {
				continue
			}
			deployments++
			for _, img := range containerImages(t, obj) {
				if img != "example.test/operator:local" {
					t.Errorf("%s: Deployment %s runs %s", tc.base, obj.GetName(), img)
				}
			}
			if tc.namespace != "" && obj.GetNamespace() != tc.namespace {
				t.Errorf("%s: Deployment %s in %q, want %q", tc.base, obj.GetName(), obj.GetNamespace(), tc.namespace)
			}
		}
		if deployments != 1 {
			t.Errorf("%s: %d Deployments, want 1", tc.base, deployments)
		}
	}
}

func TestRenderRefusesLatestAndUntagged(t *testing.T) {
	for _, ref := range []string{"example.test/operator:latest", "example.test/operator", "localhost:5000/operator"} {
		if _, err := Render(Overlay{Base: "../../config/default", Image: ref}); err == nil {
			t.Errorf("%s accepted", ref)
		}
	}
}

// A manager given a relay has --relay-url and, for a private CA, --relay-ca-file naming the
// file its pod mounts from the ConfigMap rendered with it; without one it has neither.
func TestRenderManagerGivesTheManagerItsRelay(t *testing.T) {
	for _, tc := range []struct {
		name     string
		relay    ManagerRelay
		wantArgs []string
		wantCA   bool
	}{
		{"no relay", ManagerRelay{}, nil, false},
		{"public CA", ManagerRelay{URL: "https://relay.example"}, []string{"--relay-url=https://relay.example"}, false},
		{"private CA", ManagerRelay{URL: "https://10.0.0.7", CA: []byte("PEM")},
			[]string{"--relay-url=https://10.0.0.7", "--relay-ca-file=" + relayCADir + "/ca.crt"}, true},
	} {
		objs, err := RenderManager("../..", "example.test/operator:local", tc.relay, "--sync-memory-limit=64Mi")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var args, mounts []string
		var caData string
		for _, obj := range objs {
			switch {
			case obj.GetKind() == "Deployment" && obj.GetName() == ManagerDeployment:
				containers, _, _ := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "containers")
				c := containers[0].(map[string]any)
				for _, a := range c["args"].([]any) {
					if s := a.(string); len(s) > 8 && s[:8] == "--relay-" {
						args = append(args, s)
					}
				}
				vms, _, _ := unstructured.NestedSlice(c, "volumeMounts")
				vols, _, _ := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "volumes")
				for i, vm := range vms {
					mount := vm.(map[string]any)
					cm, _, _ := unstructured.NestedString(vols[i].(map[string]any), "configMap", "name")
					mounts = append(mounts, mount["mountPath"].(string)+" from "+cm)
				}
			case obj.GetKind() == "ConfigMap" && obj.GetName() == RelayCAConfigMap:
				if obj.GetNamespace() != ManagerNamespace {
					t.Errorf("%s: ConfigMap in %q, want %q", tc.name, obj.GetNamespace(), ManagerNamespace)
				}
				caData, _, _ = unstructured.NestedString(obj.Object, "data", "ca.crt")
			}
		}
		if fmt.Sprint(args) != fmt.Sprint(tc.wantArgs) {
			t.Errorf("%s: relay arguments %q, want %q", tc.name, args, tc.wantArgs)
		}
		wantMounts := []string(nil)
		wantData := ""
		if tc.wantCA {
			wantMounts, wantData = []string{relayCADir + " from " + RelayCAConfigMap}, "PEM"
		}
		if fmt.Sprint(mounts) != fmt.Sprint(wantMounts) || caData != wantData {
			t.Errorf("%s: mounts %q with CA %q, want %q with %q", tc.name, mounts, caData, wantMounts, wantData)
		}
	}
}
