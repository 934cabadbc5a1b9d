package image

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// writeFiles writes the stand-ins of the binary, CA bundle and time-zone database.
func writeFiles(t *testing.T, binary string) (bin, ca, zone string) {
	t.Helper()
	dir := t.TempDir()
	bin, ca, zone = filepath.Join(dir, "bin"), filepath.Join(dir, "ca.crt"), filepath.Join(dir, "zoneinfo.zip")
	for path, content := range map[string]string{bin: binary, ca: "ca bundle", zone: "zones"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return bin, ca, zone
}

func digestOf(t *testing.T, spec Spec) string {
	t.Helper()
	img, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func TestSameInputsGiveSameDigest(t *testing.T) {
	bin, ca, zone := writeFiles(t, "binary v1")
	first := digestOf(t, Operator(bin, ca, zone))
	// Other modification times and permissions of the sources change nothing.
	later := time.Now().Add(time.Hour)
	for _, p := range []string{bin, ca, zone} {
		if err := os.Chtimes(p, later, later); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if again := digestOf(t, Operator(bin, ca, zone)); again != first {
		t.Errorf("digest %s, then %s for the same inputs", first, again)
	}
	bin2, ca2, zone2 := writeFiles(t, "binary v2")
	if other := digestOf(t, Operator(bin2, ca2, zone2)); other == first {
		t.Errorf("a different binary gave the same digest %s", first)
	}
}

func TestOperatorImageRunsUnprivilegedWithCertsAndZones(t *testing.T) {
	bin, ca, zone := writeFiles(t, "binary")
	img, err := Build(Operator(bin, ca, zone))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "65532:65532" || len(cfg.Config.Entrypoint) != 1 || cfg.Config.Entrypoint[0] != BinaryPath ||
		len(cfg.Config.Cmd) != 1 || cfg.Config.Cmd[0] != "manager" {
		t.Errorf("config user %q entrypoint %v cmd %v", cfg.Config.User, cfg.Config.Entrypoint, cfg.Config.Cmd)
	}
	if !cfg.Created.IsZero() && cfg.Created.Unix() != 0 {
		t.Errorf("created %s, want the fixed epoch", cfg.Created)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers (%v), want 1", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[hdr.Name] = hdr
		if hdr.Uid != 0 || hdr.Gid != 0 || hdr.ModTime.Unix() != 0 {
			t.Errorf("%s: owner %d:%d, time %s; want root and the epoch", hdr.Name, hdr.Uid, hdr.Gid, hdr.ModTime)
		}
	}
	want := map[string]int64{"inventory-operator": 0o755, "etc/ssl/certs/ca-certificates.crt": 0o644,
		"usr/share/zoneinfo.zip": 0o644, "etc/passwd": 0o644, "etc/group": 0o644}
	for path, mode := range want {
		if hdr := files[path]; hdr == nil || hdr.Mode != mode {
			t.Errorf("%s: %+v, want a file with mode %o", path, hdr, mode)
		}
	}
}

func TestWriteProducesALoadableTarball(t *testing.T) {
	bin, ca, zone := writeFiles(t, "binary")
	img, err := Build(Operator(bin, ca, zone))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "image.tar")
	digest, err := Write(path, "example.test/operator:v1", img)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("example.test/operator:v1")
	loaded, err := tarball.ImageFromPath(path, &tag)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := loaded.Digest(); got != digest {
		t.Errorf("tarball holds %s, Write said %s", got, digest)
	}
	if _, err := Write(path, "Not A Reference", img); err == nil {
		t.Error("an invalid reference was accepted")
	}
}
