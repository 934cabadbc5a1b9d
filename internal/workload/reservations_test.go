package workload

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/syncpod"
)

func withReservations(r Run, relay RelayAccess) Run {
	sync := r.Sync.DeepCopy()
	sync.Spec.FulfillmentChannel.Name = "wh$(HOME)"
	sync.Spec.Reservations = &v1alpha1.ReservationsSource{TokenSecretRef: v1alpha1.SecretKeySelector{Name: "relay-token", Key: "token"}}
	r.Sync, r.Relay = sync, relay
	r.Channel = r.Channel.DeepCopy()
	r.Channel.Name = "shop"
	return r
}

// The relay URL and the names are arguments, escaped; the token is a secretKeyRef variable;
// the CA, public, a literal value; the pod still mounts no service account token.
func TestReservationsReachThePodAsArgumentsAndASecretRef(t *testing.T) {
	const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	r := withReservations(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip), RelayAccess{URL: "https://inventory-relay.inventory-system:8443", CA: ca})
	pod := JobTemplate(r).Spec.Template.Spec
	c := pod.Containers[0]
	var cfg syncpod.Config
	fs := newFlagSet()
	cfg.BindFlags(fs)
	if err := fs.Parse(c.Args[1:]); err != nil {
		t.Fatal(err)
	}
	if cfg.ReservationsURL != "https://inventory-relay.inventory-system:8443" || cfg.FulfillmentChannel != "wh$$(HOME)" || cfg.SalesChannel != "shop" ||
		cfg.InventorySync != r.Sync.Namespace+"/"+r.Sync.Name {
		t.Errorf("parsed reservations %q %q %q %q", cfg.ReservationsURL, cfg.FulfillmentChannel, cfg.SalesChannel, cfg.InventorySync)
	}
	var token, caEnv bool
	for _, e := range c.Env {
		switch e.Name {
		case syncpod.EnvReservationsToken:
			token = e.Value == "" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil &&
				e.ValueFrom.SecretKeyRef.Name == "relay-token" && e.ValueFrom.SecretKeyRef.Key == "token"
		case syncpod.EnvRelayCA:
			caEnv = e.Value == ca
		}
	}
	if !token || !caEnv {
		t.Errorf("env %+v: want the token as a secretKeyRef and the CA as a value", c.Env)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod mounts a service account token")
	}
	if !slices.ContainsFunc(secretRefs(r), func(ref v1alpha1.SecretKeySelector) bool { return ref.Name == "relay-token" }) {
		t.Error("the relay token is not among the run's Secret references, which CheckSecrets screens")
	}
}

func TestNoReservationsNoRelay(t *testing.T) {
	for _, r := range []Run{
		run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip),
		withReservations(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip), RelayAccess{}),
	} {
		c := JobTemplate(r).Spec.Template.Spec.Containers[0]
		if strings.Contains(strings.Join(c.Args, " "), "--reservations-url") {
			t.Errorf("args %v name the relay", c.Args)
		}
		for _, e := range c.Env {
			if e.Name == syncpod.EnvReservationsToken {
				t.Errorf("env carries the relay token without a relay URL")
			}
		}
	}
}

// config/networkpolicy/sync_to_relay.yaml opens the relay's pods to sync pods, and nothing
// else: no address block, only the relay's HTTPS port.
func TestThePolicyToTheRelayOpensOnlyTheRelay(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "networkpolicy", "sync_to_relay.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var policy networkingv1.NetworkPolicy
	if err := yaml.UnmarshalStrict(data, &policy); err != nil {
		t.Fatal(err)
	}
	selector, err := metav1.LabelSelectorAsSelector(&policy.Spec.PodSelector)
	if err != nil {
		t.Fatal(err)
	}
	r := withReservations(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip), RelayAccess{URL: "https://relay"})
	if pod := JobTemplate(r).Spec.Template.Labels; !selector.Matches(labels.Set(pod)) {
		t.Errorf("the policy does not select a sync pod labelled %v", pod)
	}
	if len(policy.Spec.Ingress) != 0 || len(policy.Spec.Egress) != 1 {
		t.Fatalf("ingress %v egress %v: want one egress rule", policy.Spec.Ingress, policy.Spec.Egress)
	}
	rule := policy.Spec.Egress[0]
	if len(rule.To) != 1 || rule.To[0].IPBlock != nil || rule.To[0].PodSelector == nil ||
		rule.To[0].PodSelector.MatchLabels["app.kubernetes.io/name"] != "inventory-relay" || rule.To[0].NamespaceSelector == nil {
		t.Errorf("peers %+v: want the relay's pods in one namespace", rule.To)
	}
	if len(rule.Ports) != 1 || rule.Ports[0].Port == nil || rule.Ports[0].Port.IntValue() != 8443 {
		t.Errorf("ports %+v: want the relay's HTTPS port only", rule.Ports)
	}
}
