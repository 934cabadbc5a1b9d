package main

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"
)

func TestMetricsOptions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		addr   string
		secure bool
		ok     bool
	}{
		{"secure on every interface", ":8443", true, true},
		{"disabled", "0", false, true},
		{"plain HTTP on IPv4 loopback", "127.0.0.1:8080", false, true},
		{"plain HTTP on IPv6 loopback", "[::1]:8080", false, true},
		{"plain HTTP on localhost", "localhost:8080", false, true},
		{"plain HTTP on every interface", ":8080", false, false},
		{"plain HTTP on a routable address", "10.0.0.7:8080", false, false},
		{"plain HTTP without a port", "127.0.0.1", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := metricsOptions(tc.addr, tc.secure)
			if (err == nil) != tc.ok {
				t.Fatalf("metricsOptions(%q, secure %v) error = %v, want ok %v", tc.addr, tc.secure, err, tc.ok)
			}
			if err == nil && tc.secure && (!got.SecureServing || got.FilterProvider == nil) {
				t.Error("secure metrics without TLS or without the authentication and authorization filter")
			}
		})
	}
}

func TestWatchedNamespaces(t *testing.T) {
	for _, tc := range []struct {
		list string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"retail", []string{"retail"}, true},
		{"retail, wholesale", []string{"retail", "wholesale"}, true},
		{"retail,,", nil, false},
		{"Retail", nil, false},
		{"a/b", nil, false},
	} {
		got, err := watchedNamespaces(tc.list)
		if (err == nil) != tc.ok {
			t.Errorf("watchedNamespaces(%q) error = %v, want ok %v", tc.list, err, tc.ok)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("watchedNamespaces(%q) = %v, want %v", tc.list, got, tc.want)
		}
		for _, ns := range tc.want {
			if _, ok := got[ns]; !ok {
				t.Errorf("watchedNamespaces(%q) lacks %q", tc.list, ns)
			}
		}
	}
}

// startControlPlane starts a kube-apiserver with the CRDs installed, and returns its admin
// config and a client of it.
func startControlPlane(t *testing.T) (*rest.Config, client.Client) {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Fatal("KUBEBUILDER_ASSETS must point at the control plane built by `make controlplane`")
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	admin, err := client.New(cfg, client.Options{Scheme: newScheme()})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, admin
}

// actingAs is cfg impersonating a ServiceAccount.
func actingAs(cfg *rest.Config, namespace, serviceAccount string) *rest.Config {
	as := rest.CopyConfig(cfg)
	as.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + namespace + ":" + serviceAccount}
	return as
}

// readManifest decodes one object of a YAML file under config/.
func readManifest(t *testing.T, obj client.Object, path ...string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{"..", "..", "config"}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		t.Fatalf("%s: %v", filepath.Join(path...), err)
	}
}

// serviceAccount creates a ServiceAccount and returns a token of it.
func serviceAccount(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns, name string) string {
	t.Helper()
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

func bindClusterRole(t *testing.T, ctx context.Context, c client.Client, role, ns, sa string) {
	t.Helper()
	b := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role + "-" + sa},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: ns, Name: sa}},
	}
	if err := c.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
}

func freeLoopbackAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// metricsClients creates the metrics-reader ClusterRole of config/rbac and two
// ServiceAccounts in namespace default, and returns their tokens: scraper is bound to the
// role, stranger is not.
func metricsClients(t *testing.T, ctx context.Context, cs kubernetes.Interface, admin client.Client) (scraper, stranger string) {
	t.Helper()
	var readerRole rbacv1.ClusterRole
	readManifest(t, &readerRole, "rbac", "metrics_reader_role.yaml")
	if err := admin.Create(ctx, &readerRole); err != nil {
		t.Fatal(err)
	}
	scraper = serviceAccount(t, ctx, cs, "default", "scraper")
	bindClusterRole(t, ctx, admin, readerRole.Name, "default", "scraper")
	return scraper, serviceAccount(t, ctx, cs, "default", "stranger")
}

// checkScrapeAccess scrapes https://addr/metrics without a token, with the token of an
// identity without access and with one allowed to GET /metrics, and checks that only the
// last gets the metrics.
func checkScrapeAccess(t *testing.T, ctx context.Context, addr, scraper, stranger string) {
	t.Helper()
	// The certificate is self-signed; the test checks who may scrape, not TLS.
	scrape := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	status := func(token string) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := scrape.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	for _, tc := range []struct {
		who   string
		token string
		want  int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"a ServiceAccount without the metrics-reader role", stranger, http.StatusForbidden},
		{"a ServiceAccount with the metrics-reader role", scraper, http.StatusOK},
	} {
		var got int
		var err error
		// The endpoint starts in the background: poll until it answers, with a deadline.
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if got, err = status(tc.token); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("scraping with %s: %v", tc.who, err)
		}
		if got != tc.want {
			t.Errorf("scraping with %s: status %d, want %d", tc.who, got, tc.want)
		}
	}
}

// TestMetricsRequireAuthorization runs the manager as its ServiceAccount with the
// metrics-auth ClusterRole of config/rbac, and scrapes its metrics without a token, with the
// token of an identity without access, and with one bound to the metrics-reader ClusterRole.
func TestMetricsRequireAuthorization(t *testing.T) {
	cfg, admin := startControlPlane(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cs := kubernetes.NewForConfigOrDie(cfg)

	var authRole rbacv1.ClusterRole
	readManifest(t, &authRole, "rbac", "metrics_auth_role.yaml")
	if err := admin.Create(ctx, &authRole); err != nil {
		t.Fatal(err)
	}
	serviceAccount(t, ctx, cs, "default", "controller-manager")
	bindClusterRole(t, ctx, admin, authRole.Name, "default", "controller-manager")
	scraper, stranger := metricsClients(t, ctx, cs, admin)

	addr := freeLoopbackAddress(t)
	opts, err := managerConfig(managerOptions{metricsAddr: addr, metricsSecure: true, probeAddr: "0"})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(actingAs(cfg, "default", "controller-manager"), opts)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = mgr.Start(ctx) }()
	checkScrapeAccess(t, ctx, addr, scraper, stranger)
}
