package devdeploy

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The names config/default and config/relay give the operator's objects.
const (
	ManagerNamespace  = "inventory-operator-system"
	ManagerDeployment = "inventory-operator-controller-manager"
	RelayDeployment   = "inventory-relay"
	RelayService      = "inventory-relay"
	// RelayTokensSecret and RelayTLSSecret are the Secrets the relay's Deployment mounts.
	RelayTokensSecret = "inventory-relay-tokens"
	RelayTLSSecret    = "inventory-relay-tls"
)

// availableTimeout bounds the wait for a Deployment's pods to be ready.
const availableTimeout = 3 * time.Minute

// InstallManager renders config/default of the repository at root with image for the
// manager (and so its sync Jobs), and extraArgs appended to the manager's arguments, applies
// it (CRDs, RBAC, the namespace and the Deployment) and waits until the manager is available.
func InstallManager(ctx context.Context, c client.Client, root, image string, extraArgs ...string) error {
	return InstallManagerWithRelay(ctx, c, root, image, ManagerRelay{}, extraArgs...)
}

// InstallManagerWithRelay is InstallManager with the relay whose reservations sync pods of
// InventorySyncs with spec.reservations read.
func InstallManagerWithRelay(ctx context.Context, c client.Client, root, image string, relay ManagerRelay, extraArgs ...string) error {
	objs, err := RenderManager(root, image, relay, extraArgs...)
	if err != nil {
		return err
	}
	if err := Apply(ctx, c, objs); err != nil {
		return err
	}
	return WaitAvailable(ctx, c, client.ObjectKey{Namespace: ManagerNamespace, Name: ManagerDeployment}, availableTimeout)
}

// RenderManager is what InstallManagerWithRelay applies.
func RenderManager(root, image string, relay ManagerRelay, extraArgs ...string) ([]*unstructured.Unstructured, error) {
	// No sync-image setting: the manager takes its own image from its pod, as installed.
	overlay := Overlay{Base: filepath.Join(root, "config", "default"), Image: image}
	overlay.Patches = append(overlay.Patches, relay.patches()...)
	for _, arg := range extraArgs {
		overlay.Patches = append(overlay.Patches, addArg(ManagerDeployment, arg))
	}
	objs, err := Render(overlay)
	if err != nil {
		return nil, err
	}
	if cm := relay.caConfigMap(); cm != nil {
		objs = append(objs, cm)
	}
	return objs, nil
}

// addArg is a patch that appends arg to the first container's arguments of a Deployment.
func addArg(deployment, arg string) Patch {
	return Patch{
		Patch:  fmt.Sprintf(`[{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": %q}]`, arg),
		Target: map[string]any{"kind": "Deployment", "name": deployment},
	}
}

// InstallRelay renders config/relay of the repository at root into namespace with image and
// one replica, applies it and waits until the relay is available. The namespace must hold
// the Secrets RelayTokensSecret (key "tokens") and RelayTLSSecret.
func InstallRelay(ctx context.Context, c client.Client, root, image, namespace string) error {
	return InstallRelayReplicas(ctx, c, root, image, namespace, 1)
}

// InstallRelayReplicas is InstallRelay with replicas relay pods and extraArgs appended to the
// relay's arguments. The ledger's StatefulSet comes with it; the relay is available once
// the ledger is, since a relay is ready only when it has read the ledger.
func InstallRelayReplicas(ctx context.Context, c client.Client, root, image, namespace string, replicas int64, extraArgs ...string) error {
	overlay := Overlay{
		Base:      filepath.Join(root, "config", "relay"),
		Image:     image,
		Namespace: namespace,
		Replicas:  map[string]int64{RelayDeployment: replicas},
	}
	for _, arg := range extraArgs {
		overlay.Patches = append(overlay.Patches, addArg(RelayDeployment, arg))
	}
	objs, err := Render(overlay)
	if err != nil {
		return err
	}
	if err := Apply(ctx, c, objs); err != nil {
		return err
	}
	return WaitAvailable(ctx, c, client.ObjectKey{Namespace: namespace, Name: RelayDeployment}, availableTimeout)
}

// ApplyRelayService applies only the relay's Service of config/relay into namespace and
// returns its ClusterIP: known before the relay's certificate is made, it can be named in
// it, for clients that reach the relay without cluster DNS. InstallRelay applies the same
// Service again later.
func ApplyRelayService(ctx context.Context, c client.Client, root, namespace string) (string, error) {
	objs, err := Render(Overlay{Base: filepath.Join(root, "config", "relay"), Namespace: namespace})
	if err != nil {
		return "", err
	}
	for _, obj := range objs {
		if obj.GetKind() != "Service" || obj.GetName() != RelayService {
			continue
		}
		if err := Apply(ctx, c, []*unstructured.Unstructured{obj}); err != nil {
			return "", err
		}
		var svc corev1.Service
		if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: RelayService}, &svc); err != nil {
			return "", err
		}
		return svc.Spec.ClusterIP, nil
	}
	return "", fmt.Errorf("config/relay has no Service %s", RelayService)
}
