package devcluster

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The node's pod network: a bridge of its own whose gateway address is also the node's
// address, where the API server listens and where tests serve fake stores and feeds. Pods
// reach nothing else: the host routes nothing from the bridge to any other interface.
const (
	BridgeName  = "invop0"
	PodSubnet   = "10.77.0.0/24"
	GatewayIP   = "10.77.0.1"
	gatewayCIDR = GatewayIP + "/24"
	// ServiceSubnet holds the ClusterIPs; the first is the kubernetes Service.
	ServiceSubnet = "10.0.0.0/24"
	cniBinDir     = "/usr/lib/cni"
	cniNetwork    = "inventory-dev"
)

// setUpBridge creates the bridge with the gateway address, or reuses the one left by an
// earlier start.
func setUpBridge() error {
	if _, err := os.Stat("/sys/class/net/" + BridgeName); err != nil {
		if out, err := exec.Command("ip", "link", "add", BridgeName, "type", "bridge").CombinedOutput(); err != nil {
			return fmt.Errorf("create the bridge %s: %w: %s (the kernel needs bridge support: modprobe bridge)",
				BridgeName, err, strings.TrimSpace(string(out)))
		}
	}
	addrs, err := exec.Command("ip", "-o", "addr", "show", "dev", BridgeName).Output()
	if err != nil {
		return fmt.Errorf("read the addresses of %s: %w", BridgeName, err)
	}
	if !strings.Contains(string(addrs), " "+gatewayCIDR+" ") {
		if out, err := exec.Command("ip", "addr", "add", gatewayCIDR, "dev", BridgeName).CombinedOutput(); err != nil {
			return fmt.Errorf("address %s on %s: %w: %s", gatewayCIDR, BridgeName, err, strings.TrimSpace(string(out)))
		}
	}
	if out, err := exec.Command("ip", "link", "set", BridgeName, "up").CombinedOutput(); err != nil {
		return fmt.Errorf("bring %s up: %w: %s", BridgeName, err, strings.TrimSpace(string(out)))
	}
	// This machine reaches the Services through the bridge too, from the gateway address.
	if out, err := exec.Command("ip", "route", "replace", ServiceSubnet, "dev", BridgeName, "src", GatewayIP).CombinedOutput(); err != nil {
		return fmt.Errorf("route %s through %s: %w: %s", ServiceSubnet, BridgeName, err, strings.TrimSpace(string(out)))
	}
	// Traffic between pods on the bridge goes through iptables too, so Services work
	// between pods; absent without br_netfilter, which only pod-to-pod Services need.
	_ = os.WriteFile("/proc/sys/net/bridge/bridge-nf-call-iptables", []byte("1"), 0o644)
	return nil
}

// writeCNIConfig writes the bridge network containerd gives every pod, with its address
// bookkeeping under dir.
func writeCNIConfig(confDir, ipamDir string) error {
	conf := map[string]any{
		"cniVersion": "1.0.0",
		"name":       cniNetwork,
		"plugins": []any{
			map[string]any{
				"type":        "bridge",
				"bridge":      BridgeName,
				"isGateway":   true,
				"ipMasq":      false,
				"hairpinMode": true,
				"ipam": map[string]any{
					"type":    "host-local",
					"dataDir": ipamDir,
					"ranges":  [][]map[string]string{{{"subnet": PodSubnet, "gateway": GatewayIP}}},
					// Only the Services have a route: pods reach the bridge and nothing beyond.
					"routes": []map[string]string{{"dst": ServiceSubnet}},
				},
			},
		},
	}
	data, err := json.MarshalIndent(conf, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(confDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(confDir, "10-"+cniNetwork+".conflist"), data, 0o644)
}
