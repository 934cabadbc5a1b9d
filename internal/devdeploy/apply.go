package devdeploy

import (
	"context"
	"fmt"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// fieldOwner names the applier in the objects' managed fields.
const fieldOwner = "devdeploy"

// Apply applies the objects with server-side apply: Namespaces first, then
// CustomResourceDefinitions (each waited for until established, so objects of its kind can
// follow), then the rest in order.
func Apply(ctx context.Context, c client.Client, objs []*unstructured.Unstructured) error {
	first := map[string]int{"Namespace": 0, "CustomResourceDefinition": 1}
	ordered := append([]*unstructured.Unstructured{}, objs...)
	sort.SliceStable(ordered, func(i, j int) bool {
		rank := func(o *unstructured.Unstructured) int {
			if r, ok := first[o.GetKind()]; ok {
				return r
			}
			return len(first)
		}
		return rank(ordered[i]) < rank(ordered[j])
	})
	for _, obj := range ordered {
		if err := c.Patch(ctx, obj, client.Apply, client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
			return fmt.Errorf("apply %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
		if obj.GetKind() == "CustomResourceDefinition" {
			if err := waitEstablished(ctx, c, obj.GetName()); err != nil {
				return err
			}
		}
	}
	return nil
}

func waitEstablished(ctx context.Context, c client.Client, name string) error {
	return poll(ctx, time.Minute, "CRD "+name+" established", func() (bool, error) {
		crd := &unstructured.Unstructured{}
		crd.SetAPIVersion("apiextensions.k8s.io/v1")
		crd.SetKind("CustomResourceDefinition")
		if err := c.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, cond := range conds {
			m, _ := cond.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
}

// WaitAvailable waits until the Deployment has all its replicas updated and available.
func WaitAvailable(ctx context.Context, c client.Client, key client.ObjectKey, timeout time.Duration) error {
	var last string
	err := poll(ctx, timeout, "Deployment "+key.String()+" available", func() (bool, error) {
		var d appsv1.Deployment
		if err := c.Get(ctx, key, &d); err != nil {
			last = err.Error()
			return false, nil
		}
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		s := d.Status
		last = fmt.Sprintf("%d updated, %d available of %d", s.UpdatedReplicas, s.AvailableReplicas, want)
		return s.ObservedGeneration >= d.Generation && s.UpdatedReplicas == want && s.AvailableReplicas == want, nil
	})
	if err != nil {
		return fmt.Errorf("%w (%s)", err, last)
	}
	return nil
}

// poll calls cond until it holds, fails, or the deadline passes.
func poll(ctx context.Context, timeout time.Duration, what string, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: not within %s", what, timeout)
		case <-tick.C:
		}
	}
}
