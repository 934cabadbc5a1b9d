package devdeploy

import (
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
