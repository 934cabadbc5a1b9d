package helmchart

import (
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/internal/devdeploy"
)

// Install renders the chart at dir for rel with values and applies the objects as
// devdeploy.Apply does (namespaces, then CRDs once established, then the rest). It returns the
// objects, so a caller can wait for them or delete them.
func Install(ctx context.Context, c client.Client, dir string, rel Release, values map[string]any) ([]*unstructured.Unstructured, error) {
	objs, err := Render(dir, rel, values)
	if err != nil {
		return nil, err
	}
	return objs, devdeploy.Apply(ctx, c, objs)
}

// ImageValues are the chart's values for the image ref name:tag (the tag after the last
// slash, so a registry's port stays in the name).
func ImageValues(ref string) map[string]any {
	repo, tag := ref, ""
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	return map[string]any{"repository": repo, "tag": tag}
}
