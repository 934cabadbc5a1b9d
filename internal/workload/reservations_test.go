package workload

import (
	"slices"
	"strings"
	"testing"

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
	if cfg.ReservationsURL != "https://inventory-relay.inventory-system:8443" || cfg.FulfillmentChannel != "wh$$(HOME)" || cfg.SalesChannel != "shop" {
		t.Errorf("parsed reservations %q %q %q", cfg.ReservationsURL, cfg.FulfillmentChannel, cfg.SalesChannel)
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
