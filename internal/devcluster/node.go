package devcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// NodeName is the name of the cluster's one node.
const NodeName = "dev-node"

// NodeOptions configure the cluster's node.
type NodeOptions struct {
	// Images are image tarballs (docker or OCI archives) loaded into the node's containerd
	// before the kubelet starts, beside the sandbox image (PauseImage) built at start;
	// nothing can be pulled, so pods must use these with a tag other than latest.
	Images []string
}

// nodeTools are the host's programs the node needs, with the Debian package of each.
var nodeTools = []struct{ path, pkg string }{
	{"containerd", "containerd"},
	{"ctr", "containerd"},
	{"runc", "runc"},
	{"iptables", "iptables"},
	{"ip", "iproute2"},
	{filepath.Join(cniBinDir, "bridge"), "containernetworking-plugins"},
	{filepath.Join(cniBinDir, "host-local"), "containernetworking-plugins"},
}

// NodeInstallHint says how to install what the node needs from the host.
const NodeInstallHint = "apt-get install -y containerd runc containernetworking-plugins iptables iproute2 (make node-deps does it)"

// CheckNode says why a node cannot start on this machine, or nil when it can.
func CheckNode(binDir string) error {
	if os.Geteuid() != 0 {
		return errors.New("the node needs root (containerd and the kubelet manage mounts, cgroups and network namespaces): run as root, e.g. sudo make dev or sudo make test-e2e")
	}
	var missing []string
	for _, tool := range nodeTools {
		if _, err := exec.LookPath(tool.path); err != nil {
			missing = append(missing, tool.path+" (package "+tool.pkg+")")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the node needs %s: %s", strings.Join(missing, ", "), NodeInstallHint)
	}
	for _, bin := range []string{"kubelet", "kube-proxy", "kube-scheduler"} {
		if _, err := os.Stat(filepath.Join(binDir, bin)); err != nil {
			return fmt.Errorf("%s not found in %s: run `make controlplane`", bin, binDir)
		}
	}
	if _, err := os.Stat("/sys/fs/cgroup/memory"); err != nil {
		if _, err2 := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err2 != nil {
			return errors.New("the node needs the memory cgroup controller, mounted under /sys/fs/cgroup")
		}
	}
	return nil
}

// lockNode makes sure only one cluster with a node runs on this machine: the bridge and
// kube-proxy's iptables chains are the machine's.
func lockNode() (*os.File, error) {
	f, err := os.OpenFile("/run/inventory-operator-devnode.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, errors.New("another local cluster with a node is running on this machine (make dev or the end-to-end suite): stop it first")
	}
	return f, nil
}

// kubeletConfig is the kubelet's configuration for this machine: cgroup v1 allowed, cgroupfs
// (no systemd), swap tolerated, no node allocatable enforcement, every directory under dir,
// serving on the node's address only, nothing evicted or garbage-collected for disk.
func kubeletConfig(dir, runtimeEndpoint, caFile string, port, healthzPort int) string {
	return fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: %[1]s
port: %[2]d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: %[3]d
containerRuntimeEndpoint: %[4]s
imageServiceEndpoint: %[4]s
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
enforceNodeAllocatable: []
podLogsDir: %[5]q
staticPodPath: ""
resolvConf: ""
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: %[6]q}
authorization:
  mode: Webhook
evictionHard:
  memory.available: "0%%"
  nodefs.available: "0%%"
  imagefs.available: "0%%"
  nodefs.inodesFree: "0%%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
registerNode: true
syncFrequency: 10s
fileCheckFrequency: 10s
nodeStatusUpdateFrequency: 5s
`, GatewayIP, port, healthzPort, runtimeEndpoint, filepath.Join(dir, "pod-logs"), caFile)
}

// startNode starts containerd with the images loaded, then the kubelet, kube-proxy and
// kube-scheduler, and waits until the node is Ready.
func (c *Cluster) startNode(ctx context.Context, binDir, dir string, opts NodeOptions, certs *pki) error {
	nodeDir := filepath.Join(dir, "node")
	cniConf := filepath.Join(nodeDir, "cni", "net.d")
	if err := writeCNIConfig(cniConf, filepath.Join(nodeDir, "cni", "ipam")); err != nil {
		return err
	}
	pause, err := buildPauseImage(filepath.Join(nodeDir, "images"))
	if err != nil {
		return err
	}
	runtime, err := c.startContainerd(ctx, filepath.Join(nodeDir, "containerd"), PauseImage, cniConf)
	if err != nil {
		return err
	}
	c.runtime = runtime
	for _, img := range append([]string{pause}, opts.Images...) {
		if err := runtime.importImage(ctx, img); err != nil {
			return err
		}
	}
	ports, err := freePorts(5)
	if err != nil {
		return err
	}
	kubeletDir := filepath.Join(nodeDir, "kubelet")
	if err := os.MkdirAll(kubeletDir, 0o755); err != nil {
		return err
	}
	config := filepath.Join(kubeletDir, "config.yaml")
	if err := os.WriteFile(config, []byte(kubeletConfig(kubeletDir, runtime.endpoint(), certs.CAFile, ports[0], ports[1])), 0o644); err != nil {
		return err
	}
	if err := c.start(binDir, "kubelet",
		"--config="+config,
		"--kubeconfig="+c.Kubeconfig,
		"--root-dir="+kubeletDir,
		"--cert-dir="+filepath.Join(kubeletDir, "pki"),
		"--hostname-override="+NodeName,
		"--node-ip="+GatewayIP,
	); err != nil {
		return err
	}
	if err := c.start(binDir, "kube-proxy",
		"--kubeconfig="+c.Kubeconfig,
		"--hostname-override="+NodeName,
		"--proxy-mode=iptables",
		"--cluster-cidr="+PodSubnet,
		"--bind-address=127.0.0.1",
		"--healthz-bind-address=127.0.0.1:"+strconv.Itoa(ports[2]),
		"--metrics-bind-address=127.0.0.1:"+strconv.Itoa(ports[4]),
		// The machine's conntrack limits are left as they are.
		"--conntrack-max-per-core=0",
	); err != nil {
		return err
	}
	if err := c.start(binDir, "kube-scheduler",
		"--kubeconfig="+c.Kubeconfig,
		"--authentication-kubeconfig="+c.Kubeconfig,
		"--authorization-kubeconfig="+c.Kubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(ports[3]),
	); err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(c.restConfig)
	if err != nil {
		return err
	}
	return c.waitNodeReady(ctx, cs)
}

// waitNodeReady polls the Node until its Ready condition is True and its not-ready taint
// is gone, or a node process exits, or ctx ends.
func (c *Cluster) waitNodeReady(ctx context.Context, cs kubernetes.Interface) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	seen := "not registered"
	for {
		for _, p := range c.processes {
			if err, exited := p.Exited(); exited {
				return fmt.Errorf("%s exited: %w (log: %s)", p.Name, err, c.logPath(p.Name))
			}
		}
		if node, err := cs.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{}); err == nil {
			seen = nodeState(node)
			if seen == "" {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node %s not ready in time (%s); see %s", NodeName, seen, c.logPath("kubelet"))
		case <-tick.C:
		}
	}
}

// nodeState says why a node cannot take pods yet, or "" when it can.
func nodeState(node *corev1.Node) string {
	for _, t := range node.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute {
			return "taint " + t.Key
		}
	}
	for _, cond := range node.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			if cond.Status == corev1.ConditionTrue {
				return ""
			}
			return "Ready " + string(cond.Status) + ": " + cond.Message
		}
	}
	return "no Ready condition"
}

// drainNode deletes every pod and waits (briefly) until the kubelet has stopped them, so
// their sandboxes, network namespaces and mounts are released; what remains is removed
// through containerd.
func (c *Cluster) drainNode(ctx context.Context) {
	cs, err := kubernetes.NewForConfig(c.restConfig)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	namespaces, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for _, ns := range namespaces.Items {
		_ = cs.CoreV1().Pods(ns.Name).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: ptrTo[int64](1)}, metav1.ListOptions{})
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		// Controllers may recreate pods, but with the scheduler stopped none is bound again.
		pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + NodeName})
		if err != nil || len(pods.Items) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// unmountUnder detaches every mount below dir, deepest first, so the directory can be
// removed after the node stopped.
func unmountUnder(dir string) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mounts []string
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			mounts = append(mounts, fields[4])
		}
	}
	for i := len(mounts) - 1; i >= 0; i-- {
		_ = syscall.Unmount(mounts[i], syscall.MNT_DETACH)
	}
}
