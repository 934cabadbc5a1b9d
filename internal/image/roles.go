package image

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// BinaryPath is where the operator binary sits in its image.
const BinaryPath = "/inventory-operator"

// GoBuild builds the Go command pkg of the module in moduleDir as a static binary at out,
// as the image needs it: no cgo, no paths of this machine or version-control state (the same
// sources give the same binary), time-zone data embedded.
func GoBuild(moduleDir, pkg, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-tags=timetzdata", "-o", out, pkg)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return nil
}

// GoZoneInfo is the time-zone database of the Go toolchain that builds the binary.
func GoZoneInfo() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "lib", "time", "zoneinfo.zip"), nil
}

// Operator is the one image of every role (manager, sync, relay): the static binary,
// CA certificates (channels and feeds are HTTPS), time-zone data (schedules have a timeZone)
// and the unprivileged user. It starts the manager unless told another role.
func Operator(binary, caCerts, zoneInfo string) Spec {
	return Spec{
		Files: []File{
			{Path: BinaryPath, Source: binary, Mode: 0o755},
			{Path: CACertsPath, Source: caCerts, Mode: 0o644},
			{Path: ZoneInfoPath, Source: zoneInfo, Mode: 0o644},
		},
		Entrypoint: []string{BinaryPath},
		Cmd:        []string{"manager"},
		Env: []string{
			"PATH=/",
			"SSL_CERT_FILE=" + CACertsPath,
			"ZONEINFO=" + ZoneInfoPath,
		},
		User:   strconv.Itoa(UserID) + ":" + strconv.Itoa(UserID),
		Passwd: true,
	}
}

// Pause is a pod sandbox image: a binary that waits until it is told to stop.
func Pause(binary string) Spec {
	return Spec{
		Files:      []File{{Path: "/pause", Source: binary, Mode: 0o755}},
		Entrypoint: []string{"/pause"},
		User:       strconv.Itoa(UserID) + ":" + strconv.Itoa(UserID),
	}
}

// DefaultCACerts is the CA bundle of Debian-like hosts, copied into the image.
const DefaultCACerts = "/etc/ssl/certs/ca-certificates.crt"

// BuildOperator builds the operator binary of the module in moduleDir and writes its image,
// tagged tag, as the tarball out (the binary lands beside it). It returns the digest.
func BuildOperator(moduleDir, out, tag, caCerts string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	binary := filepath.Join(filepath.Dir(out), "inventory-operator")
	if err := GoBuild(moduleDir, "./cmd/inventory-operator", binary); err != nil {
		return "", err
	}
	zoneInfo, err := GoZoneInfo()
	if err != nil {
		return "", err
	}
	img, err := Build(Operator(binary, caCerts, zoneInfo))
	if err != nil {
		return "", err
	}
	digest, err := Write(out, tag, img)
	return digest.String(), err
}
