package kubedirectory

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

const namespace = "shop"

// relayIdentity starts a control plane, installs the relay's ServiceAccount, Role and
// RoleBinding from config/relay in namespace, and returns an admin client and a config that
// acts as the relay's ServiceAccount.
func relayIdentity(t *testing.T, scheme *runtime.Scheme) (client.Client, *rest.Config) {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Fatal("KUBEBUILDER_ASSETS must point at the control plane built by `make controlplane`")
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	admin, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var sa corev1.ServiceAccount
	var role rbacv1.Role
	var binding rbacv1.RoleBinding
	for file, obj := range map[string]client.Object{"service_account.yaml": &sa, "role.yaml": &role, "role_binding.yaml": &binding} {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "config", "relay", file))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(data, obj); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	binding.Subjects[0].Namespace = namespace
	for _, obj := range []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, &sa, &role, &binding} {
		if obj.GetName() != namespace {
			obj.SetNamespace(namespace)
		}
		if err := admin.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	as := rest.CopyConfig(cfg)
	as.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + namespace + ":" + sa.Name}
	return admin, as
}

func testScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	return scheme
}

// namespaceCache is a started and synced cache of namespace, reading as cfg, as the relay's
// is; it stops with ctx.
func namespaceCache(t *testing.T, ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme) cache.Cache {
	t.Helper()
	objects, err := cache.New(cfg, cache.Options{Scheme: scheme, DefaultNamespaces: map[string]cache.Config{namespace: {}}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = objects.Start(ctx) }()
	if !objects.WaitForCacheSync(ctx) {
		t.Fatal("cache did not sync")
	}
	return objects
}

func channelWithCredentials(name, secret, key string) *v1alpha1.SalesChannel {
	return &v1alpha1.SalesChannel{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: v1alpha1.SalesChannelSpec{
			Platform: v1alpha1.PlatformShopify,
			Connection: v1alpha1.ChannelConnection{
				URL:                  "https://eu-store.myshopify.com",
				CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: secret, Key: key},
				Plan:                 v1alpha1.PlanStandard,
			},
			Inventory: v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeSynchronizeWithFulfillmentChannel, DuplicateSKUs: v1alpha1.DuplicateSKUsSkip},
		},
	}
}

// TestDirectoryWithTheRelayRole runs the directory as the relay does, as the relay's
// ServiceAccount with the Role of config/relay: it lists the channels in scope, reads a
// credential by name and trims it, while the Role lets it neither list nor watch Secrets.
func TestDirectoryWithTheRelayRole(t *testing.T) {
	scheme := testScheme()
	admin, asRelay := relayIdentity(t, scheme)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	ch := channelWithCredentials("shopify-eu", "shopify-eu-admin", "token")
	for _, obj := range []client.Object{
		ch,
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "shopify-eu-admin"},
			Data:       map[string][]byte{"token": []byte("shpat_abc\r\n"), "blank": []byte("\n")},
		},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: v1alpha1.RelayTokensSecret},
			Data:       map[string][]byte{"tokens": []byte("relay-bearer-token\n")},
		},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "prod-relay-tls", Labels: map[string]string{v1alpha1.LabelOperatorSecret: "true"}},
			Data:       map[string][]byte{"tls.key": []byte("relay-private-key")},
		},
	} {
		if err := admin.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}

	objects := namespaceCache(t, ctx, asRelay, scheme)
	secrets, err := client.New(asRelay, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	d := New(objects, secrets, namespace, nil)

	scope, err := d.Scope(ctx)
	if err != nil {
		t.Fatalf("Scope: %v", err)
	}
	if len(scope.Channels) != 1 || scope.Channels[0].Name != ch.Name {
		t.Errorf("Scope lists %d channels, want the one created", len(scope.Channels))
	}

	// Bounded: a reader that needs to watch Secrets would wait for a sync that never comes.
	readCtx, cancelRead := context.WithTimeout(ctx, 30*time.Second)
	defer cancelRead()
	got, err := d.Credential(readCtx, ch)
	if err != nil {
		t.Fatalf("Credential: %v", err)
	}
	if string(got) != "shpat_abc" {
		t.Errorf("Credential = %q, want the token without its line break", got)
	}

	blank := channelWithCredentials("blank", "shopify-eu-admin", "blank")
	if _, err := d.Credential(ctx, blank); err == nil {
		t.Error("a key holding only a line break was accepted as a credential")
	}
	missing := channelWithCredentials("missing", "shopify-eu-admin", "nope")
	if _, err := d.Credential(ctx, missing); err == nil {
		t.Error("a missing key was accepted as a credential")
	}

	// The relay's own Secrets are never a channel's credentials, by name or by label.
	for _, ref := range [][2]string{{v1alpha1.RelayTokensSecret, "tokens"}, {"prod-relay-tls", "tls.key"}} {
		got, err := d.Credential(ctx, channelWithCredentials("exfil", ref[0], ref[1]))
		if err == nil || got != nil || !strings.Contains(err.Error(), "operator's own") {
			t.Errorf("Secret %s as a channel's credential: %q, %v; want a refusal", ref[0], got, err)
		}
	}

	// The relay's identity reads a Secret it names, and nothing more.
	var list corev1.SecretList
	if err := secrets.List(ctx, &list, client.InNamespace(namespace)); !apierrors.IsForbidden(err) {
		t.Errorf("listing Secrets as the relay: err = %v, want Forbidden", err)
	}
	w, err := client.NewWithWatch(asRelay, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Watch(ctx, &corev1.SecretList{}, client.InNamespace(namespace)); !apierrors.IsForbidden(err) {
		t.Errorf("watching Secrets as the relay: err = %v, want Forbidden", err)
	}
}

// TestScopeNamesTheChannelsTheSelectorLeavesOut runs the directory with a channel selector
// as the relay's ServiceAccount: the selected channel is in scope, the other one is named,
// so an order from it is known, and a channel of another namespace is neither.
func TestScopeNamesTheChannelsTheSelectorLeavesOut(t *testing.T) {
	scheme := testScheme()
	admin, asRelay := relayIdentity(t, scheme)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	selected := channelWithCredentials("shopify-eu", "eu-admin", "token")
	selected.Labels = map[string]string{"relay": "eu"}
	unselected := channelWithCredentials("marketplace", "marketplace-admin", "token")
	elsewhere := channelWithCredentials("shopify-us", "us-admin", "token")
	elsewhere.Namespace = "elsewhere"
	for _, obj := range []client.Object{selected, unselected, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "elsewhere"}}, elsewhere} {
		if err := admin.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	objects := namespaceCache(t, ctx, asRelay, scheme)
	selector, err := labels.Parse("relay=eu")
	if err != nil {
		t.Fatal(err)
	}
	scope, err := New(objects, objects, namespace, selector).Scope(ctx)
	if err != nil {
		t.Fatalf("Scope: %v", err)
	}
	if len(scope.Channels) != 1 || scope.Channels[0].Name != selected.Name {
		t.Errorf("Scope has %d channels in scope, want only %s", len(scope.Channels), selected.Name)
	}
	if !slices.Equal(scope.OtherChannels, []string{unselected.Name}) {
		t.Errorf("OtherChannels = %v, want [%s]", scope.OtherChannels, unselected.Name)
	}
}

// TestConfigMapKeyWithTheRelayRole reads a catalog mapping's ConfigMap key as the relay's
// ServiceAccount: by name, with a version that changes with the ConfigMap, from Data or
// BinaryData; a missing key or ConfigMap, or one of another namespace, is an error naming
// it; and the Role lets the relay neither list nor watch ConfigMaps.
func TestConfigMapKeyWithTheRelayRole(t *testing.T) {
	scheme := testScheme()
	admin, asRelay := relayIdentity(t, scheme)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "catalog"},
		Data:       map[string]string{"rows.csv": "channelSKU,warehouseSKU,quantity\nSHOP-TEE-M,TS-M,1\n"},
		BinaryData: map[string][]byte{"rows.bin": []byte("channelSKU,warehouseSKU,quantity\n")},
	}
	if err := admin.Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	direct, err := client.New(asRelay, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	d := New(direct, direct, namespace, nil)
	text, version, err := d.ConfigMapKey(ctx, namespace, v1alpha1.ConfigMapKeySelector{Name: "catalog", Key: "rows.csv"})
	if err != nil || string(text) != cm.Data["rows.csv"] || version == "" {
		t.Fatalf("ConfigMapKey = %q, %q, %v", text, version, err)
	}
	if text, _, err := d.ConfigMapKey(ctx, namespace, v1alpha1.ConfigMapKeySelector{Name: "catalog", Key: "rows.bin"}); err != nil || string(text) != string(cm.BinaryData["rows.bin"]) {
		t.Errorf("BinaryData key: %q, %v", text, err)
	}
	cm.Data["rows.csv"] += "GIFT-BOX,MUG,1\n"
	if err := admin.Update(ctx, cm); err != nil {
		t.Fatal(err)
	}
	if _, changed, err := d.ConfigMapKey(ctx, namespace, v1alpha1.ConfigMapKeySelector{Name: "catalog", Key: "rows.csv"}); err != nil || changed == version {
		t.Errorf("version after an update: %q (was %q), %v", changed, version, err)
	}
	for _, tc := range []struct {
		namespace, name, key, want string
	}{
		{namespace, "catalog", "nope", `no key "nope"`},
		{namespace, "absent", "rows.csv", "absent"},
		{"elsewhere", "catalog", "rows.csv", "not in the relay's namespace"},
	} {
		if _, _, err := d.ConfigMapKey(ctx, tc.namespace, v1alpha1.ConfigMapKeySelector{Name: tc.name, Key: tc.key}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s/%s key %s: err %v, want one containing %q", tc.namespace, tc.name, tc.key, err, tc.want)
		}
	}
	var list corev1.ConfigMapList
	if err := direct.List(ctx, &list, client.InNamespace(namespace)); !apierrors.IsForbidden(err) {
		t.Errorf("listing ConfigMaps as the relay: err = %v, want Forbidden", err)
	}
}
