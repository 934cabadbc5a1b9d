package workload

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// config/networkpolicy confines sync pods: it must select the pods this package renders, and
// admit no address a tenant could use to reach inside the cluster or the cloud's metadata.
func TestTheNetworkPolicyConfinesSyncPods(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "config", "networkpolicy", "sync_egress.yaml"))
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
	plan := run(v1alpha1.PlatformWebhook, v1alpha1.DuplicateSKUsSkip)
	plan.Trigger, plan.PlanOnly = v1alpha1.TriggerSalesChannelManual, true
	for _, r := range []Run{run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip), plan} {
		if pod := JobTemplate(r).Spec.Template.Labels; !selector.Matches(labels.Set(pod)) {
			t.Errorf("the policy does not select a sync pod labelled %v", pod)
		}
	}
	if selector.Matches(labels.Set{LabelManagedBy: ManagedByValue}) {
		t.Error("the policy selects pods other than sync pods")
	}
	if len(policy.Spec.PolicyTypes) != 2 || len(policy.Spec.Ingress) != 0 {
		t.Errorf("policy types %v, ingress %v: want both types and no ingress", policy.Spec.PolicyTypes, policy.Spec.Ingress)
	}
	for _, addr := range []string{"169.254.169.254", "10.96.0.1", "10.0.0.12", "172.17.0.2", "192.168.1.10", "100.64.0.1", "127.0.0.1", "fd00::1", "fe80::1", "::1"} {
		if admitted(policy, addr) {
			t.Errorf("the policy admits %s", addr)
		}
	}
	for _, addr := range []string{"203.0.113.10", "2001:db8::1"} {
		if !admitted(policy, addr) {
			t.Errorf("the policy refuses the public address %s", addr)
		}
	}
}

// admitted reports whether an egress rule's ipBlock admits addr.
func admitted(policy networkingv1.NetworkPolicy, addr string) bool {
	ip := net.ParseIP(addr)
	within := func(cidr string) bool {
		_, block, err := net.ParseCIDR(cidr)
		return err == nil && block.Contains(ip)
	}
	for _, rule := range policy.Spec.Egress {
		for _, peer := range rule.To {
			if peer.IPBlock == nil || !within(peer.IPBlock.CIDR) {
				continue
			}
			excepted := false
			for _, e := range peer.IPBlock.Except {
				excepted = excepted || within(e)
			}
			if !excepted {
				return true
			}
		}
	}
	return false
}
