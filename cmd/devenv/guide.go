package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/devdeploy"
)

// printGuide says where everything is and what to try.
func printGuide(e *env) {
	kubeconfig := e.cluster.Kubeconfig
	fmt.Printf(`
Development environment is up (Ctrl-C stops everything).

  export KUBECONFIG=%[1]s
  kubectl get saleschannels,inventorysyncs -n %[2]s
  kubectl get cronjobs,jobs,pods -n %[2]s
  kubectl describe inventorysync %[3]s -n %[2]s

Fake Shopify store (token in Secret %[2]s/%[4]s):  %[5]s
Store quantities now:  curl -s %[6]s
Fulfillment feed:      %[7]s  (edit %[8]s, then request a sync)

With the kubectl plugin (make plugin, then bin/ on PATH; docs/plugin.md):
  kubectl inventory status -n %[2]s
  kubectl inventory plan %[3]s -n %[2]s
  kubectl inventory sync %[3]s -n %[2]s

Request a sales-channel manual sync (full values, in every mode):
  kubectl annotate saleschannel %[9]s -n %[2]s --overwrite %[10]s=$(date +%%s)
Request one more run of the sync:
  kubectl annotate inventorysync %[3]s -n %[2]s --overwrite %[10]s=$(date +%%s)
Switch the channel's mode:
  kubectl patch saleschannel %[9]s -n %[2]s --type=merge -p '{"spec":{"inventory":{"mode":"DoNotSynchronize"}}}'

Logs of the manager, the relay and the sync pods (one pod per run):
  kubectl logs -n %[11]s deploy/%[12]s
  kubectl logs -n %[2]s deploy/%[13]s
  kubectl logs -n %[2]s -l app.kubernetes.io/managed-by=inventory-operator --tail=20
Cluster and node logs (kube-apiserver, kubelet, containerd, ...): %[14]s
`, kubeconfig, demoNamespace, demoSync, demoSecret, e.demo.baseURL, e.demo.levelsURL(), e.demo.feedURL(),
		e.demo.feedPath, demoChannel, v1alpha1.SyncRequestedAtAnnotation,
		devdeploy.ManagerNamespace, devdeploy.ManagerDeployment, devdeploy.RelayDeployment, e.cluster.LogDir)
	printRelayGuide(e)
}

// printRelayGuide shows one event sent to the relay through its Service. The demo channel starts in
// SynchronizeWithFulfillmentChannel, which does not push receipts, so the guide also shows the
// switch to RealTimeAdjustment after which the same kind of event reaches the store.
func printRelayGuide(e *env) {
	fmt.Printf(`
Relay (real-time inventory events): https://%[1]s (Service %[7]s), bearer token in %[2]s, CA in %[8]s
Send a ReceiveReceipt of 3 units of SKU-A (each paste gets a new event id):
  curl -s --cacert %[8]s --resolve %[1]s:443:%[7]s -X POST https://%[1]s/v1/events \
    -H "Authorization: Bearer $(cat %[2]s)" -H 'Content-Type: application/json' \
    -d '{"events":[{"id":"receipt-'"$(date +%%s)"'","trigger":"ReceiveReceipt","sku":"SKU-A","fulfillmentChannel":"%[3]s","increment":3}]}'
The channel is SynchronizeWithFulfillmentChannel, so the answer is NotApplicable (ModeDoesNotPush).
Switch it to RealTimeAdjustment, send the event again, and SKU-A goes up by 3 in %[4]s:
  kubectl patch saleschannel %[5]s -n %[6]s --type=merge -p '{"spec":{"inventory":{"mode":"RealTimeAdjustment"}}}'
`, e.relay.host, e.relay.tokenFile, demoWarehouse, e.demo.levelsURL(), demoChannel, demoNamespace,
		e.relay.clusterIP, e.relay.caFile)
}

// waitFirstSync watches the demo InventorySync until a run has completed and describes it,
// with the time since start.
func (e *env) waitFirstSync(ctx context.Context, start time.Time) string {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		var sync v1alpha1.InventorySync
		err := e.client.Get(ctx, client.ObjectKey{Namespace: demoNamespace, Name: demoSync}, &sync)
		if err == nil && sync.Status.LastRun != nil && sync.Status.LastRun.CompletionTime != nil {
			run := sync.Status.LastRun
			var b strings.Builder
			fmt.Fprintf(&b, "first sync (%s, %s) completed %s after start: %s",
				run.Trigger, run.Job, time.Since(start).Round(10*time.Millisecond), run.Result)
			if s := run.SKUs; s != nil {
				fmt.Fprintf(&b, "; SKUs %s", s.Summary())
			}
			if run.Message != "" {
				fmt.Fprintf(&b, "; %s", run.Message)
			}
			for _, l := range e.demo.levels() {
				fmt.Fprintf(&b, "\n  %-10s %s available %d", l.SKU, l.InventoryItem, l.Available)
			}
			return b.String()
		}
		select {
		case <-ctx.Done():
			return ""
		case <-tick.C:
		}
	}
}
