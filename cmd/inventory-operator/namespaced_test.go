package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/controllers"
)

// install is a rendered kustomization, by kind.
type install struct {
	clusterRoles        []rbacv1.ClusterRole
	clusterRoleBindings []rbacv1.ClusterRoleBinding
	roles               []rbacv1.Role
	roleBindings        []rbacv1.RoleBinding
	serviceAccounts     []corev1.ServiceAccount
	deployments         []appsv1.Deployment
	statefulSets        []appsv1.StatefulSet
	networkPolicies     []networkingv1.NetworkPolicy
}

// render builds a kustomization under config/ as `kubectl apply -k` would.
func render(t *testing.T, dir string) install {
	t.Helper()
	return renderPath(t, filepath.Join("..", "..", "config", dir))
}

// renderPath builds the kustomization in dir.
func renderPath(t *testing.T, dir string) install {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	out, err := resources.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	var in install
	dec := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := dec.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var head metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatal(err)
		}
		switch head.Kind {
		case "ClusterRole":
			decodeInto(t, &in.clusterRoles, doc)
		case "ClusterRoleBinding":
			decodeInto(t, &in.clusterRoleBindings, doc)
		case "Role":
			decodeInto(t, &in.roles, doc)
		case "RoleBinding":
			decodeInto(t, &in.roleBindings, doc)
		case "ServiceAccount":
			decodeInto(t, &in.serviceAccounts, doc)
		case "Deployment":
			decodeInto(t, &in.deployments, doc)
		case "StatefulSet":
			decodeInto(t, &in.statefulSets, doc)
		case "NetworkPolicy":
			decodeInto(t, &in.networkPolicies, doc)
		}
	}
	return in
}

// decodeInto appends the object of a YAML document to list.
func decodeInto[T any](t *testing.T, list *[]T, doc []byte) {
	t.Helper()
	var obj T
	if err := yaml.UnmarshalStrict(doc, &obj); err != nil {
		t.Fatalf("%T: %v", obj, err)
	}
	*list = append(*list, obj)
}

// grantsSecrets says whether a rule gives any access to Secrets.
func grantsSecrets(r rbacv1.PolicyRule) bool {
	group := false
	for _, g := range r.APIGroups {
		group = group || g == "" || g == "*"
	}
	for _, res := range r.Resources {
		if group && (res == "secrets" || res == "*") {
			return true
		}
	}
	return false
}

// flagValue is the value of --name in args.
func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}

// TestNamespacedInstall renders config/namespaced and checks that the manager it installs
// has no cluster-wide access to Secrets, has the rules the controllers need as a Role in
// each namespace it watches, and, run as that ServiceAccount with those Roles against a real
// API server, reconciles the watched namespace and leaves the others alone.
func TestNamespacedInstall(t *testing.T) {
	in := render(t, "namespaced")
	for _, r := range in.clusterRoles {
		for _, rule := range r.Rules {
			if grantsSecrets(rule) {
				t.Errorf("ClusterRole %s grants %v on Secrets", r.Name, rule.Verbs)
			}
		}
	}
	if len(in.deployments) != 1 || len(in.serviceAccounts) != 1 {
		t.Fatalf("rendered %d Deployments and %d ServiceAccounts, want the manager's one of each", len(in.deployments), len(in.serviceAccounts))
	}
	manager := in.deployments[0]
	sa := in.serviceAccounts[0]
	if manager.Spec.Template.Spec.ServiceAccountName != sa.Name {
		t.Fatalf("the manager runs as %q, not the rendered ServiceAccount %q", manager.Spec.Template.Spec.ServiceAccountName, sa.Name)
	}
	watch := flagValue(manager.Spec.Template.Spec.Containers[0].Args, "watch-namespaces")
	namespaces, err := watchedNamespaces(watch)
	if err != nil || len(namespaces) == 0 {
		t.Fatalf("the manager's --watch-namespaces=%q: %v", watch, err)
	}

	// Each watched namespace has a Role with exactly the generated ClusterRole's rules, bound
	// to the manager's ServiceAccount.
	var generated rbacv1.ClusterRole
	readManifest(t, &generated, "rbac", "role.yaml")
	for ns := range namespaces {
		bound := false
		for _, b := range in.roleBindings {
			if b.Namespace != ns || len(b.Subjects) != 1 || b.Subjects[0].Name != sa.Name || b.Subjects[0].Namespace != sa.Namespace {
				continue
			}
			for _, r := range in.roles {
				if r.Namespace == ns && r.Name == b.RoleRef.Name && b.RoleRef.Kind == "Role" {
					bound = true
					if !reflect.DeepEqual(r.Rules, generated.Rules) {
						t.Errorf("the Role in %s has rules %v, want those of config/rbac/role.yaml %v", ns, r.Rules, generated.Rules)
					}
				}
			}
		}
		if !bound {
			t.Errorf("no Role bound to the manager in watched namespace %s", ns)
		}
	}

	runWatchingManager(t, in, watch)
}

// runWatchingManager installs the rendered RBAC in a control plane and runs the controllers
// as the manager's ServiceAccount, watching the namespaces of watch.
func runWatchingManager(t *testing.T, in install, watch string) {
	cfg, admin := startControlPlane(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sa := in.serviceAccounts[0]
	watched := strings.Split(watch, ",")[0]
	const elsewhere = "elsewhere"
	for _, ns := range []string{sa.Namespace, watched, elsewhere} {
		if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	applyRendered(t, ctx, admin, in)

	opts, err := managerConfig(managerOptions{metricsAddr: "0", probeAddr: "0", watchNamespaces: watch})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(actingAs(cfg, sa.Namespace, sa.Name), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := controllers.Setup(ctx, mgr, controllers.Options{Image: "registry.example/inventory-operator:test", Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- mgr.Start(ctx) }()

	// The channel outside the watched namespaces comes first, so the manager would have seen
	// it before the watched one becomes Ready.
	for _, ns := range []string{elsewhere, watched} {
		for _, o := range []client.Object{
			&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop-admin"}, Data: map[string][]byte{"token": []byte("shpat_x")}},
			&v1alpha1.SalesChannel{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop"},
				Spec: v1alpha1.SalesChannelSpec{
					Platform: v1alpha1.PlatformShopify,
					Connection: v1alpha1.ChannelConnection{
						URL:                  "https://shop.myshopify.com",
						CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: "shop-admin", Key: "token"},
						Plan:                 v1alpha1.PlanStandard,
					},
					Inventory: v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeSynchronizeWithFulfillmentChannel, DuplicateSKUs: v1alpha1.DuplicateSKUsSkip},
				},
			},
		} {
			if err := admin.Create(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
	}

	ready := func(ns string) (bool, error) {
		var ch v1alpha1.SalesChannel
		if err := admin.Get(ctx, client.ObjectKey{Namespace: ns, Name: "shop"}, &ch); err != nil {
			return false, err
		}
		return meta.IsStatusConditionTrue(ch.Status.Conditions, v1alpha1.ConditionReady), nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := ready(watched)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		select {
		case err := <-stopped:
			t.Fatalf("the manager stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SalesChannel in watched namespace %s did not become Ready", watched)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var other v1alpha1.SalesChannel
	if err := admin.Get(ctx, client.ObjectKey{Namespace: elsewhere, Name: "shop"}, &other); err != nil {
		t.Fatal(err)
	}
	if len(other.Status.Conditions) != 0 {
		t.Errorf("the manager reconciled a SalesChannel outside its watched namespaces: %v", other.Status.Conditions)
	}
}

// applyRendered creates the ServiceAccounts and RBAC of a rendered install, as an
// administrator applying it would; their namespaces must exist.
func applyRendered(t *testing.T, ctx context.Context, admin client.Client, in install) {
	t.Helper()
	var objs []client.Object
	for i := range in.serviceAccounts {
		objs = append(objs, &in.serviceAccounts[i])
	}
	for i := range in.clusterRoles {
		objs = append(objs, &in.clusterRoles[i])
	}
	for i := range in.clusterRoleBindings {
		objs = append(objs, &in.clusterRoleBindings[i])
	}
	for i := range in.roles {
		objs = append(objs, &in.roles[i])
	}
	for i := range in.roleBindings {
		objs = append(objs, &in.roleBindings[i])
	}
	for _, o := range objs {
		if err := admin.Create(ctx, o); err != nil {
			t.Fatalf("creating %s %s: %v", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
		}
	}
}

// clientFor is a client acting with cfg's identity.
func clientFor(t *testing.T, cfg *rest.Config) client.Client {
	t.Helper()
	c, err := client.New(cfg, client.Options{Scheme: newScheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
