// Package devcluster runs a throwaway Kubernetes cluster for development and end-to-end
// tests, from the binaries `make controlplane` builds: etcd, kube-apiserver and
// kube-controller-manager on loopback and, when asked, one real node: containerd, the
// kubelet, kube-proxy and kube-scheduler, with pods on a bridge of the cluster's own.
package devcluster

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Controllers are the kube-controller-manager controllers the cluster runs: enough for
// CronJobs to make Jobs, Jobs to make pods, owners to collect their children, finished Jobs
// to expire and namespaces to be deleted.
var Controllers = []string{"cronjob", "job", "garbagecollector", "ttl-after-finished", "namespace"}

// NodeControllers are the controllers a cluster with a node runs too: Deployments, the
// StatefulSet of the relay's ledger, service accounts and their root CA, Service endpoints,
// node lifecycle (the not-ready taint) and pod garbage collection.
var NodeControllers = []string{"deployment", "replicaset", "statefulset", "serviceaccount", "root-ca-cert-publisher",
	"endpointslice", "nodelifecycle", "podgc"}

// Options configure a cluster.
type Options struct {
	// Dir holds the cluster's data, credentials, logs and kubeconfig. etcd's data under it is
	// wiped on every start.
	Dir string
	// BinDir holds etcd, kube-apiserver and kube-controller-manager.
	BinDir string
	// StartTimeout bounds the wait for every component to be ready; one minute when zero,
	// three with a node.
	StartTimeout time.Duration
	// Node, when set, adds a real node (containerd, kubelet, kube-proxy, kube-scheduler). It
	// needs root and the packages CheckNode names; the API server then listens on the
	// node's bridge (GatewayIP) instead of loopback, so pods reach it through the kubernetes
	// Service.
	Node *NodeOptions
}

// Cluster is a running control plane.
type Cluster struct {
	// Kubeconfig is the path of an admin kubeconfig for the cluster.
	Kubeconfig string
	// LogDir holds one log file per component.
	LogDir string
	// APIServerURL is the API server's https URL.
	APIServerURL string

	restConfig *rest.Config
	processes  []*Process
	dir        string
	binDir     string
	runtime    *containerd
	nodeLock   *os.File
}

// Start starts etcd, kube-apiserver and kube-controller-manager and waits until they are
// ready. On error everything started is stopped again.
func Start(ctx context.Context, opts Options) (c *Cluster, err error) {
	if opts.StartTimeout == 0 {
		opts.StartTimeout = time.Minute
		if opts.Node != nil {
			opts.StartTimeout = 3 * time.Minute
		}
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	for _, bin := range []string{"etcd", "kube-apiserver", "kube-controller-manager"} {
		if _, err := os.Stat(filepath.Join(opts.BinDir, bin)); err != nil {
			return nil, fmt.Errorf("%s not found in %s: run `make controlplane`", bin, opts.BinDir)
		}
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	c = &Cluster{Kubeconfig: filepath.Join(dir, "kubeconfig"), LogDir: filepath.Join(dir, "logs"), dir: dir, binDir: opts.BinDir}
	defer func() {
		if err != nil {
			c.Stop()
			c = nil
		}
	}()
	host := "127.0.0.1"
	if opts.Node != nil {
		if err := CheckNode(opts.BinDir); err != nil {
			return c, err
		}
		if c.nodeLock, err = lockNode(); err != nil {
			return c, err
		}
		if err := setUpBridge(); err != nil {
			return c, err
		}
		host = GatewayIP
	}
	etcdDir := filepath.Join(dir, "etcd")
	if err := os.RemoveAll(etcdDir); err != nil {
		return c, err
	}
	certs, err := newPKI(filepath.Join(dir, "pki"))
	if err != nil {
		return c, err
	}
	ports, err := freePorts(4)
	if err != nil {
		return c, err
	}
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	if err := c.start(opts.BinDir, "etcd",
		"--name=dev",
		"--data-dir="+etcdDir,
		"--listen-client-urls="+etcdURL,
		"--advertise-client-urls="+etcdURL,
		"--listen-peer-urls=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--initial-advertise-peer-urls=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--initial-cluster=dev=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--unsafe-no-fsync",
	); err != nil {
		return c, err
	}
	if err := waitReady(ctx, c.processes[0], http.DefaultClient, etcdURL+"/health"); err != nil {
		return c, fmt.Errorf("etcd: %w (log: %s)", err, c.logPath("etcd"))
	}

	c.APIServerURL = "https://" + host + ":" + strconv.Itoa(ports[2])
	apiserverArgs := []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=" + host,
		"--advertise-address=" + host,
		"--secure-port=" + strconv.Itoa(ports[2]),
		"--cert-dir=" + filepath.Join(dir, "pki"),
		"--tls-cert-file=" + certs.ServingCertFile,
		"--tls-private-key-file=" + certs.ServingKeyFile,
		"--client-ca-file=" + certs.CAFile,
		"--service-account-key-file=" + certs.ServiceAccountKeyFile,
		"--service-account-signing-key-file=" + certs.ServiceAccountKeyFile,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-cluster-ip-range=" + ServiceSubnet,
		"--authorization-mode=RBAC",
		"--allow-privileged=true",
	}
	if opts.Node != nil {
		apiserverArgs = append(apiserverArgs,
			// kubectl logs and exec: the API server calls the kubelet with the admin identity.
			"--kubelet-client-certificate="+certs.AdminCertFile,
			"--kubelet-client-key="+certs.AdminKeyFile,
			"--kubelet-preferred-address-types=InternalIP")
	} else {
		apiserverArgs = append(apiserverArgs,
			// Without a node no pod runs: no service account controllers, no token volumes.
			"--disable-admission-plugins=ServiceAccount",
			// The kubernetes Service would need a non-loopback address; nothing uses it.
			"--endpoint-reconciler-type=none")
	}
	if err := c.start(opts.BinDir, "kube-apiserver", apiserverArgs...); err != nil {
		return c, err
	}
	if err := c.writeKubeconfig(certs); err != nil {
		return c, err
	}
	if c.restConfig, err = c.RESTConfig(); err != nil {
		return c, err
	}
	apiClient, err := rest.HTTPClientFor(c.restConfig)
	if err != nil {
		return c, err
	}
	if err := waitReady(ctx, c.processes[1], apiClient, c.APIServerURL+"/readyz"); err != nil {
		return c, fmt.Errorf("kube-apiserver: %w (log: %s)", err, c.logPath("kube-apiserver"))
	}

	controllers := Controllers
	if opts.Node != nil {
		controllers = append(append([]string{}, Controllers...), NodeControllers...)
	}
	if err := c.start(opts.BinDir, "kube-controller-manager",
		"--kubeconfig="+c.Kubeconfig,
		"--authentication-kubeconfig="+c.Kubeconfig,
		"--authorization-kubeconfig="+c.Kubeconfig,
		"--controllers="+strings.Join(controllers, ","),
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(ports[3]),
		"--cert-dir="+filepath.Join(dir, "pki", "controller-manager"),
		"--root-ca-file="+certs.CAFile,
		"--concurrent-job-syncs=5",
		"--concurrent-cron-job-syncs=5",
	); err != nil {
		return c, err
	}
	// The controller manager's own serving certificate is self-signed; the check only asks
	// whether it answers.
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if err := waitReady(ctx, c.processes[2], insecure, "https://127.0.0.1:"+strconv.Itoa(ports[3])+"/healthz"); err != nil {
		return c, fmt.Errorf("kube-controller-manager: %w (log: %s)", err, c.logPath("kube-controller-manager"))
	}
	if opts.Node != nil {
		if err := c.startNode(ctx, opts.BinDir, dir, *opts.Node, certs); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (c *Cluster) logPath(name string) string { return filepath.Join(c.LogDir, name+".log") }

func (c *Cluster) start(binDir, name string, args ...string) error {
	p, err := StartProcess(name, append([]string{filepath.Join(binDir, name)}, args...), nil, c.logPath(name))
	if err != nil {
		return err
	}
	c.processes = append(c.processes, p)
	return nil
}

// RESTConfig is an admin client configuration for the cluster.
func (c *Cluster) RESTConfig() (*rest.Config, error) {
	if c.restConfig != nil {
		return rest.CopyConfig(c.restConfig), nil
	}
	data, err := os.ReadFile(c.Kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(data)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}

// Stop stops the components in reverse order of start. With a node, the scheduler stops
// first and every pod is deleted, so the kubelet releases their sandboxes; containers left
// are removed through containerd, and mounts left under the directory are detached. It is
// safe to call more than once.
func (c *Cluster) Stop() {
	if c == nil {
		return
	}
	if c.runtime != nil {
		for _, p := range c.processes {
			if p.Name == "kube-scheduler" {
				p.Stop(10 * time.Second)
			}
		}
		c.drainNode(context.Background())
		c.runtime.removeTasks(context.Background())
	}
	for i := len(c.processes) - 1; i >= 0; i-- {
		c.processes[i].Stop(10 * time.Second)
	}
	c.processes = nil
	if c.runtime != nil {
		unmountUnder(c.dir)
		// kube-proxy's chains would outlive it in the machine's iptables.
		_ = exec.Command(filepath.Join(c.binDir, "kube-proxy"), "--cleanup").Run()
		c.runtime = nil
	}
	if c.nodeLock != nil {
		_ = c.nodeLock.Close()
		c.nodeLock = nil
	}
}

func (c *Cluster) writeKubeconfig(certs *pki) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["dev"] = &clientcmdapi.Cluster{Server: c.APIServerURL, CertificateAuthorityData: certs.CA}
	cfg.AuthInfos["dev-admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: certs.AdminCert, ClientKeyData: certs.AdminKey}
	cfg.Contexts["dev"] = &clientcmdapi.Context{Cluster: "dev", AuthInfo: "dev-admin", Namespace: "default"}
	cfg.CurrentContext = "dev"
	return clientcmd.WriteToFile(*cfg, c.Kubeconfig)
}

// waitReady polls url until it answers 200, the process exits or ctx ends.
func waitReady(ctx context.Context, p *Process, client *http.Client, url string) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if err, exited := p.Exited(); exited {
			return fmt.Errorf("exited before it was ready: %w", err)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s", url, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready in time: %w", errors.Join(ctx.Err(), last))
		case <-tick.C:
		}
	}
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
