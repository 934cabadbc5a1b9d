// Package image builds the operator's container image without a container engine: one layer
// with the static binary, CA certificates, time-zone data and a passwd entry for the
// unprivileged user, written as a tarball that `docker load`, `ctr images import`, crane and
// skopeo accept. Every timestamp and owner is fixed, so the same inputs give the same digest.
package image

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// UserID is the unprivileged user and group every role runs as.
const UserID = 65532

// Paths of the files inside the image.
const (
	CACertsPath  = "/etc/ssl/certs/ca-certificates.crt"
	ZoneInfoPath = "/usr/share/zoneinfo.zip"
)

// File is one regular file of the image.
type File struct {
	// Path is absolute, inside the image.
	Path string
	// Source is the file on this machine whose content is copied.
	Source string
	Mode   int64
}

// Spec describes an image: its files, and what runs when a container starts.
type Spec struct {
	Files      []File
	Entrypoint []string
	Cmd        []string
	Env        []string
	// User is "uid:gid"; root when empty.
	User string
	// Passwd adds /etc/passwd and /etc/group naming UserID "nonroot".
	Passwd bool
}

// epoch is the time of every file and of the image itself.
var epoch = time.Unix(0, 0).UTC()

// Build assembles the image described by spec.
func Build(spec Spec) (v1.Image, error) {
	layerTar, err := layerTar(spec)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.DockerLayer))
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer:     layer,
		History:   v1.History{CreatedBy: "inventory-operator image builder", Created: v1.Time{Time: epoch}},
		MediaType: types.DockerLayer,
	})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS = "amd64", "linux"
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config.Entrypoint = spec.Entrypoint
	cfg.Config.Cmd = spec.Cmd
	cfg.Config.Env = spec.Env
	cfg.Config.User = spec.User
	cfg.Config.WorkingDir = "/"
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, err
	}
	return mutate.CreatedAt(img, v1.Time{Time: epoch})
}

// Write writes img as a tarball tagged ref and returns its digest.
func Write(path, ref string, img v1.Image) (v1.Hash, error) {
	tag, err := name.NewTag(ref, name.StrictValidation)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("image reference %q: %w", ref, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	tmp := path + ".tmp"
	if err := tarball.WriteToFile(tmp, tag, img); err != nil {
		return v1.Hash{}, err
	}
	return digest, os.Rename(tmp, path)
}

// layerTar is the layer's uncompressed content: directories first, then files, in path
// order, all owned by root with the fixed time.
func layerTar(spec Spec) ([]byte, error) {
	type entry struct {
		hdr  tar.Header
		data []byte
	}
	entries := map[string]entry{}
	addDirs := func(path string) {
		for dir := parent(path); dir != ""; dir = parent(dir) {
			if _, ok := entries[dir]; !ok {
				entries[dir] = entry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755}}
			}
		}
	}
	addFile := func(path string, data []byte, mode int64) {
		addDirs(path)
		entries[path] = entry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: path, Mode: mode, Size: int64(len(data))}, data: data}
	}
	for _, f := range spec.Files {
		if len(f.Path) < 2 || f.Path[0] != '/' {
			return nil, fmt.Errorf("image file path %q is not absolute", f.Path)
		}
		data, err := os.ReadFile(f.Source)
		if err != nil {
			return nil, fmt.Errorf("image file %s: %w", f.Path, err)
		}
		addFile(f.Path[1:], data, f.Mode)
	}
	if spec.Passwd {
		addFile("etc/passwd", fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", UserID, UserID), 0o644)
		addFile("etc/group", fmt.Appendf(nil, "root:x:0:\nnonroot:x:%d:\n", UserID), 0o644)
	}
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range paths {
		e := entries[p]
		e.hdr.ModTime = epoch
		if err := tw.WriteHeader(&e.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func parent(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i]
		}
	}
	return ""
}
