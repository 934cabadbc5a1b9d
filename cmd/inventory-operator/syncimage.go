package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// managerContainer is the manager's container in config/manager.
const managerContainer = "manager"

// ownImage is the image of the manager's own container, read from its Pod, whose name and
// namespace the Deployment passes through the downward API. The sync Jobs run that image, so
// an image override of the manager (kustomize's images:, a Helm value) moves them too, with
// nothing else to keep in step.
func ownImage(ctx context.Context, pods client.Reader, namespace, name string) (string, error) {
	if namespace == "" || name == "" {
		return "", errors.New("--sync-image is required outside a pod (POD_NAME and POD_NAMESPACE are unset)")
	}
	var pod corev1.Pod
	if err := pods.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &pod); err != nil {
		return "", fmt.Errorf("reading the manager's own pod for its image (or pass --sync-image): %w", err)
	}
	for _, c := range pod.Spec.Containers {
		if c.Name == managerContainer {
			return c.Image, nil
		}
	}
	return "", fmt.Errorf("pod %s/%s has no container %q to take the sync image from; pass --sync-image", namespace, name, managerContainer)
}

// syncImage is --sync-image when given, else the manager's own image.
func syncImage(ctx context.Context, flag string, pods client.Reader) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return ownImage(ctx, pods, os.Getenv("POD_NAMESPACE"), os.Getenv("POD_NAME"))
}
