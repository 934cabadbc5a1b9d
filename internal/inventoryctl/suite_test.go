package inventoryctl

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// The tests run the plugin against a real kube-apiserver and etcd (envtest, built by
// hack/build-controlplane.sh; KUBEBUILDER_ASSETS points at them) with no manager: each test
// plays the manager by writing the status a run or a plan would leave.

var (
	k8s        client.Client
	kubeconfig string
	// nobodyKubeconfig is a user no RBAC rule grants anything.
	nobodyKubeconfig string
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Fprintln(os.Stderr, "KUBEBUILDER_ASSETS must point at the control plane built by `make controlplane`; run the tests with `make test`")
		return 1
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting envtest:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The plugin reads a kubeconfig file, as it does for a user.
	user, err := env.AddUser(envtest.User{Name: "operator-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	b, err := user.KubeConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "kubectl-inventory-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, b, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	nobody, err := env.AddUser(envtest.User{Name: "nobody"}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if b, err = nobody.KubeConfig(); err == nil {
		nobodyKubeconfig = filepath.Join(dir, "nobody")
		err = os.WriteFile(nobodyKubeconfig, b, 0o600)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// run is one invocation of the plugin in the background.
type run struct {
	out, err syncBuffer
	done     chan int
}

// start runs the plugin with args against the test cluster.
func start(args ...string) *run {
	r := &run{done: make(chan int, 1)}
	args = append(args, "--kubeconfig", kubeconfig, "--poll-interval", "20ms")
	go func() { r.done <- Main(args, Streams{In: &bytes.Buffer{}, Out: &r.out, Err: &r.err}) }()
	return r
}

// wait returns the exit code, failing the test if the plugin does not end in time.
func (r *run) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("the plugin did not end; stderr: %s", r.err.String())
		return -1
	}
}

// syncBuffer is a buffer the plugin writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "t-"}}
	if err := k8s.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

func createChannel(t *testing.T, ns, name string) *v1alpha1.SalesChannel {
	t.Helper()
	ch := &v1alpha1.SalesChannel{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.SalesChannelSpec{
			Platform: v1alpha1.PlatformShopify,
			Connection: v1alpha1.ChannelConnection{
				URL:                  "https://eu-store.myshopify.com",
				CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: name + "-admin", Key: "token"},
				Plan:                 v1alpha1.PlanStandard,
			},
			Inventory: v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeRealTimeAdjustment},
		},
	}
	if err := k8s.Create(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	return ch
}

// createSync creates an InventorySync with the status the manager would have written.
func createSync(t *testing.T, ns, name, channel string, status v1alpha1.InventorySyncStatus) *v1alpha1.InventorySync {
	t.Helper()
	schedule := "*/15 * * * *"
	s := &v1alpha1.InventorySync{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.InventorySyncSpec{
			SalesChannelRef: v1alpha1.LocalObjectReference{Name: channel},
			FulfillmentChannel: v1alpha1.FulfillmentChannel{
				Name:       "warehouse-berlin",
				Feed:       &v1alpha1.FeedSource{URL: "http://wms.retail.svc/levels", Format: v1alpha1.FeedFormatCSV},
				LocationID: "gid://shopify/Location/123",
			},
			Schedule: &schedule,
		},
	}
	if err := k8s.Create(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	s.Status = status
	updateStatus(t, s)
	return s
}

// updateStatus writes s.Status as the manager would.
func updateStatus(t *testing.T, s *v1alpha1.InventorySync) {
	t.Helper()
	if err := k8s.Status().Update(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

// requested waits for a new request annotation of the plugin on obj and returns its token.
func requested(t *testing.T, obj client.Object, key string) string {
	t.Helper()
	return requestedAfter(t, obj, key, obj.GetAnnotations()[key])
}

// requestedAfter waits for the annotation to hold a token other than previous.
func requestedAfter(t *testing.T, obj client.Object, key, previous string) string {
	t.Helper()
	var token string
	eventually(t, "the "+key+" annotation", func() bool {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatal(err)
		}
		token = obj.GetAnnotations()[key]
		return token != "" && token != previous
	})
	return token
}

func keyOf(obj client.Object) client.ObjectKey { return client.ObjectKeyFromObject(obj) }
