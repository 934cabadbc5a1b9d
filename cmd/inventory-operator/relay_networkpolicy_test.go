package main

import (
	"net"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// config/networkpolicy/relay builds, selects the relay's pods of config/relay and no other,
// and lets them reach DNS, the API server, the ledger's pods and public addresses only.
func TestTheRelayEgressPolicyConfinesTheRelay(t *testing.T) {
	in := render(t, "networkpolicy/relay")
	if len(in.networkPolicies) != 1 {
		t.Fatalf("%d NetworkPolicies rendered, want 1", len(in.networkPolicies))
	}
	policy := in.networkPolicies[0]
	relay := render(t, "relay")
	if len(relay.deployments) != 1 || len(relay.statefulSets) != 1 {
		t.Fatalf("config/relay renders %d Deployments and %d StatefulSets, want the relay and the ledger", len(relay.deployments), len(relay.statefulSets))
	}
	relayPods := labels.Set(relay.deployments[0].Spec.Template.Labels)
	ledgerPods := labels.Set(relay.statefulSets[0].Spec.Template.Labels)
	selects := func(sel *metav1.LabelSelector, pods labels.Set) bool {
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil {
			t.Fatal(err)
		}
		return s.Matches(pods)
	}
	if !selects(&policy.Spec.PodSelector, relayPods) || selects(&policy.Spec.PodSelector, ledgerPods) {
		t.Errorf("the policy's selector %v must select the relay's pods %v and not the ledger's %v", policy.Spec.PodSelector, relayPods, ledgerPods)
	}
	if !slices.Equal(policy.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}) {
		t.Errorf("policy types %v, want Egress alone: events, probes and metrics come in", policy.Spec.PolicyTypes)
	}

	// The ledger's pods, on its client port only, from a rule that names no address.
	ledger := false
	for _, rule := range policy.Spec.Egress {
		for _, peer := range rule.To {
			if peer.PodSelector != nil && peer.NamespaceSelector == nil && selects(peer.PodSelector, ledgerPods) {
				ledger = ledger || allowsPort(rule, corev1.ProtocolTCP, 4222)
			}
		}
	}
	if !ledger {
		t.Error("the policy does not let the relay reach the ledger's pods on 4222")
	}
	dns := false
	for _, rule := range policy.Spec.Egress {
		for _, peer := range rule.To {
			if peer.NamespaceSelector != nil && peer.PodSelector != nil && peer.PodSelector.MatchLabels["k8s-app"] == "kube-dns" {
				dns = allowsPort(rule, corev1.ProtocolUDP, 53) && allowsPort(rule, corev1.ProtocolTCP, 53)
			}
		}
	}
	if !dns {
		t.Error("the policy does not let the relay reach kube-dns on 53")
	}
	for _, addr := range []string{"169.254.169.254", "10.96.0.1", "10.0.0.12", "172.17.0.2", "192.168.1.10", "100.64.0.1", "127.0.0.1", "fd00::1", "fe80::1", "::1"} {
		if ipAdmitted(policy, addr) {
			t.Errorf("the policy admits %s", addr)
		}
	}
	for _, addr := range []string{"203.0.113.10", "2001:db8::1"} {
		if !ipAdmitted(policy, addr) {
			t.Errorf("the policy refuses the public address %s", addr)
		}
	}
}

// allowsPort says whether an egress rule lets protocol through to port.
func allowsPort(rule networkingv1.NetworkPolicyEgressRule, protocol corev1.Protocol, port int) bool {
	for _, p := range rule.Ports {
		if p.Protocol != nil && *p.Protocol == protocol && p.Port != nil && p.Port.IntValue() == port {
			return true
		}
	}
	return false
}

// ipAdmitted reports whether an egress rule's ipBlock admits addr.
func ipAdmitted(policy networkingv1.NetworkPolicy, addr string) bool {
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
			if !slices.ContainsFunc(peer.IPBlock.Except, within) {
				return true
			}
		}
	}
	return false
}
