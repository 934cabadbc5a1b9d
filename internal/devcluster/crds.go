package devcluster

import (
	"fmt"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// InstallCRDs applies the CustomResourceDefinition files in dir and waits until the API
// server serves them.
func InstallCRDs(cfg *rest.Config, dir string) error {
	if _, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{Paths: []string{dir}, ErrorIfPathMissing: true}); err != nil {
		return fmt.Errorf("install CRDs from %s: %w", dir, err)
	}
	return nil
}
