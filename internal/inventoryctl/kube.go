package inventoryctl

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
}

// kube is a client of the cluster the user's kubeconfig names, and the namespace to use.
type kube struct {
	client.Client
	namespace string
}

// connect loads the kubeconfig the way kubectl does (--kubeconfig, $KUBECONFIG,
// ~/.kube/config), so the plugin acts with the user's own identity and RBAC.
func (o *options) connect() (*kube, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: o.context}
	if o.namespace != "" {
		overrides.Context.Namespace = o.namespace
	}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("cannot load a kubeconfig: %w; point --kubeconfig or $KUBECONFIG at one, or pick a context with --context", err)
	}
	ns, _, err := loader.Namespace()
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("cannot reach the cluster at %s: %w", cfg.Host, err)
	}
	return &kube{Client: c, namespace: ns}, nil
}

// explain turns an API error into one that says what to do. An empty namespace stands for
// every namespace (status -A).
func explain(err error, verb, resource, namespace, name string) error {
	where, canI := "in namespace "+namespace, "-n "+namespace
	if namespace == "" {
		where, canI = "in every namespace", "-A"
	}
	switch {
	case err == nil:
		return nil
	case meta.IsNoMatchError(err):
		return fmt.Errorf("the cluster serves no %s: install inventory-operator's CRDs first (`make install`, or config/default)", resource)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s %q not found in namespace %s: `kubectl inventory status -n %s` lists them, or pass -n", kindOf(resource), name, namespace, namespace)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("you may not %s %s %s: ask for a role that grants it (`kubectl auth can-i %s %s %s` checks), or use -n for a namespace you may read", verb, resource, where, verb, resource, canI)
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the cluster did not accept your credentials: log in again or check your kubeconfig's user")
	case errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return fmt.Errorf("%s %s %s/%s: %w", verb, resource, namespace, name, err)
}

func kindOf(resource string) string {
	switch resource {
	case "inventorysyncs":
		return "InventorySync"
	case "saleschannels":
		return "SalesChannel"
	case "secrets":
		return "Secret"
	}
	return resource
}
