package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestSyncImageFollowsAnImageOverride renders config/default under an overlay that overrides
// the manager's image, as a platform team's kustomization does, makes the Deployment's pod,
// and reads the sync image back as the manager does, as its ServiceAccount with its RBAC.
func TestSyncImageFollowsAnImageOverride(t *testing.T) {
	overlay := t.TempDir()
	base, err := filepath.Abs(filepath.Join("..", "..", "config", "default"))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(overlay, base)
	if err != nil {
		t.Fatal(err)
	}
	kustomization := "resources: [" + rel + "]\nimages:\n- name: ghcr.io/techoms/inventory-operator\n  newName: registry.example/retail/inventory-operator\n  newTag: v1.4.2\n"
	if err := os.WriteFile(filepath.Join(overlay, "kustomization.yaml"), []byte(kustomization), 0o644); err != nil {
		t.Fatal(err)
	}
	in := renderPath(t, overlay)
	if len(in.deployments) != 1 {
		t.Fatalf("rendered %d Deployments, want the manager's", len(in.deployments))
	}
	deployment := in.deployments[0]
	const want = "registry.example/retail/inventory-operator:v1.4.2"

	cfg, admin := startControlPlane(t)
	ctx := context.Background()
	ns := deployment.Namespace
	if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	applyRendered(t, ctx, admin, in)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: deployment.Name + "-7d9f8-abcde", Labels: deployment.Spec.Template.Labels},
		Spec:       deployment.Spec.Template.Spec,
	}
	if err := admin.Create(ctx, pod); err != nil {
		t.Fatal(err)
	}

	manager := clientFor(t, actingAs(cfg, ns, deployment.Spec.Template.Spec.ServiceAccountName))
	got, err := ownImage(ctx, manager, ns, pod.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("sync image %q, want the overridden manager image %q", got, want)
	}
	if flag, _ := syncImage(ctx, "pinned:1", manager); flag != "pinned:1" {
		t.Fatalf("--sync-image gave %q", flag)
	}
	for _, env := range deployment.Spec.Template.Spec.Containers[0].Env {
		if env.Name == "SYNC_IMAGE" {
			t.Fatalf("the Deployment still sets SYNC_IMAGE (%q), which an image override does not follow", env.Value)
		}
	}
}
