package devcluster

import (
	"os"
	"path/filepath"

	"github.com/techoms/inventory-operator/internal/image"
)

// PauseImage is the reference of the node's pod sandbox image, built locally: nothing can be
// pulled.
const PauseImage = "inventory-operator.local/pause:dev"

// pausePackage is the sandbox's program.
const pausePackage = "github.com/techoms/inventory-operator/internal/devcluster/pause"

// buildPauseImage builds the sandbox program and its image tarball into dir. It runs the Go
// toolchain in the current directory, which must be inside this module.
func buildPauseImage(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	binary := filepath.Join(dir, "pause")
	if err := image.GoBuild(".", pausePackage, binary); err != nil {
		return "", err
	}
	img, err := image.Build(image.Pause(binary))
	if err != nil {
		return "", err
	}
	tarball := filepath.Join(dir, "pause.tar")
	_, err = image.Write(tarball, PauseImage, img)
	return tarball, err
}
