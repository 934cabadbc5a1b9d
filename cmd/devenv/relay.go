package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/internal/devdeploy"
)

// relayAccess is what a user needs to send events to the relay from this machine.
type relayAccess struct {
	// host is the Service's name, which the certificate names; clusterIP is where it answers.
	host, clusterIP string
	tokenFile       string
	caFile          string
}

// startRelay installs config/relay in the demo namespace with a fresh random bearer token
// and a self-signed certificate, written under the dev directory for curl.
func startRelay(ctx context.Context, c client.Client, root string, o options) (relayAccess, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return relayAccess{}, err
	}
	token := hex.EncodeToString(b)
	access := relayAccess{
		host:      devdeploy.RelayHost(demoNamespace),
		tokenFile: filepath.Join(o.dir, "relay-token"),
		caFile:    filepath.Join(o.dir, "relay-ca.crt"),
	}
	secrets, caPEM, err := devdeploy.RelaySecrets(demoNamespace, token)
	if err != nil {
		return access, err
	}
	for _, s := range secrets {
		if err := c.Delete(ctx, s); client.IgnoreNotFound(err) != nil {
			return access, err
		}
		if err := c.Create(ctx, s); err != nil {
			return access, err
		}
	}
	if err := os.WriteFile(access.tokenFile, []byte(token+"\n"), 0o600); err != nil {
		return access, err
	}
	if err := os.WriteFile(access.caFile, caPEM, 0o644); err != nil {
		return access, err
	}
	if err := devdeploy.InstallRelay(ctx, c, root, o.imageRef, demoNamespace); err != nil {
		return access, err
	}
	var svc corev1.Service
	if err := c.Get(ctx, client.ObjectKey{Namespace: demoNamespace, Name: devdeploy.RelayService}, &svc); err != nil {
		return access, err
	}
	access.clusterIP = svc.Spec.ClusterIP
	return access, nil
}
