package devcluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// criNamespace is the containerd namespace of the images and containers the kubelet uses.
const criNamespace = "k8s.io"

// containerd is the node's container runtime: its own root, state and socket under the
// cluster's directory, so it never meets a containerd of the host.
type containerd struct {
	dir     string
	socket  string
	process *Process
}

func (r *containerd) endpoint() string { return "unix://" + r.socket }

// containerdConfig is containerd's configuration. restrict_oom_score_adj keeps containers'
// OOM scores at or above containerd's own: some kernels refuse negative scores, and without
// it every pod sandbox fails to start.
func containerdConfig(dir, socket, pauseImage, cniConfDir string) string {
	return fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q

[grpc]
  address = %[3]q

[plugins."io.containerd.internal.v1.opt"]
  path = %[4]q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[5]q
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %[6]q
    conf_dir = %[7]q
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), socket, filepath.Join(dir, "opt"),
		pauseImage, cniBinDir, cniConfDir)
}

// startContainerd writes the configuration and starts containerd, then waits for its socket
// to answer.
func (c *Cluster) startContainerd(ctx context.Context, dir, pauseImage, cniConfDir string) (*containerd, error) {
	r := &containerd{dir: dir, socket: filepath.Join(dir, "containerd.sock")}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	config := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(config, []byte(containerdConfig(dir, r.socket, pauseImage, cniConfDir)), 0o644); err != nil {
		return nil, err
	}
	p, err := StartProcess("containerd", []string{"containerd", "--config", config}, nil, c.logPath("containerd"))
	if err != nil {
		return nil, err
	}
	r.process = p
	c.processes = append(c.processes, p)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if err, exited := p.Exited(); exited {
			return r, fmt.Errorf("containerd exited: %w (log: %s)", err, c.logPath("containerd"))
		}
		if _, err := r.ctr(ctx, "version"); err == nil {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return r, fmt.Errorf("containerd not ready in time (log: %s)", c.logPath("containerd"))
		case <-tick.C:
		}
	}
}

// ctr runs containerd's client against this containerd, in the kubelet's namespace.
func (r *containerd) ctr(ctx context.Context, args ...string) (string, error) {
	argv := append([]string{"--address", r.socket, "--namespace", criNamespace}, args...)
	out, err := exec.CommandContext(ctx, "ctr", argv...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("ctr %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// importImage loads an image tarball, under the name it was written with.
func (r *containerd) importImage(ctx context.Context, tarball string) error {
	_, err := r.ctr(ctx, "images", "import", tarball)
	return err
}

// removeTasks kills every container's processes and deletes the tasks, so no shim or
// container outlives the cluster.
func (r *containerd) removeTasks(ctx context.Context) {
	out, err := r.ctr(ctx, "tasks", "list", "--quiet")
	if err != nil {
		return
	}
	for _, id := range strings.Fields(out) {
		_, _ = r.ctr(ctx, "tasks", "delete", "--force", id)
	}
}
