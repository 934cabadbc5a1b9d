// Package devdeploy installs the operator on a local cluster the way a user does: it renders
// the project's kustomizations (config/default, config/relay) with kustomize, with a locally
// built image in place of the published one, and applies the result.
package devdeploy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

// PublishedImage is the image name the project's kustomizations refer to.
const PublishedImage = "ghcr.io/techoms/inventory-operator"

// Overlay is what a local install changes in one of the project's kustomizations.
type Overlay struct {
	// Base is the kustomization directory, e.g. config/default.
	Base string
	// Image replaces PublishedImage, as name:tag (a tag other than latest: nothing is pulled);
	// empty keeps the published image.
	Image string
	// Components are kustomize components (e.g. config/prometheus) added to Base.
	Components []string
	// Namespace, when set, puts every namespaced object there.
	Namespace string
	// Patches are kustomize patches (strategic merge or JSON 6902 with a target).
	Patches []Patch
	// Replicas sets the replica count of the named Deployments.
	Replicas map[string]int64
}

// Patch is one kustomize patch.
type Patch struct {
	Patch  string         `json:"patch"`
	Target map[string]any `json:"target,omitempty"`
}

// Render builds the overlay with kustomize and returns the objects, in kustomize's order
// (namespaces and CRDs first).
func Render(o Overlay) ([]*unstructured.Unstructured, error) {
	base, err := filepath.Abs(o.Base)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "devdeploy-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	rel, err := filepath.Rel(dir, base)
	if err != nil {
		return nil, err
	}
	k := map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"resources":  []string{rel},
	}
	if o.Image != "" {
		name, tag, err := splitImage(o.Image)
		if err != nil {
			return nil, err
		}
		k["images"] = []map[string]string{{"name": PublishedImage, "newName": name, "newTag": tag}}
	}
	var components []string
	for _, c := range o.Components {
		abs, err := filepath.Abs(c)
		if err != nil {
			return nil, err
		}
		relComponent, err := filepath.Rel(dir, abs)
		if err != nil {
			return nil, err
		}
		components = append(components, relComponent)
	}
	if len(components) > 0 {
		k["components"] = components
	}
	if o.Namespace != "" {
		k["namespace"] = o.Namespace
	}
	if len(o.Patches) > 0 {
		k["patches"] = o.Patches
	}
	var replicas []map[string]any
	for deployment, n := range o.Replicas {
		replicas = append(replicas, map[string]any{"name": deployment, "count": n})
	}
	if len(replicas) > 0 {
		k["replicas"] = replicas
	}
	data, err := sigsyaml.Marshal(k)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), data, 0o644); err != nil {
		return nil, err
	}
	resMap, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", o.Base, err)
	}
	out, err := resMap.AsYaml()
	if err != nil {
		return nil, err
	}
	return decode(out)
}

func decode(manifests []byte) ([]*unstructured.Unstructured, error) {
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifests), 4096)
	var objs []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		if err := dec.Decode(&obj.Object); err != nil {
			if err.Error() == "EOF" {
				return objs, nil
			}
			return nil, err
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}

// splitImage splits name:tag; the tag must be set and not latest.
func splitImage(ref string) (name, tag string, err error) {
	for i := len(ref) - 1; i >= 0 && ref[i] != '/'; i-- {
		if ref[i] == ':' {
			name, tag = ref[:i], ref[i+1:]
			break
		}
	}
	if tag == "" || tag == "latest" {
		return "", "", fmt.Errorf("image %q needs a tag other than latest: the local node pulls nothing", ref)
	}
	return name, tag, nil
}
