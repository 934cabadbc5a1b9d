// Package workload renders the batch objects that run syncs: the CronJob of a recurring
// InventorySync and the Jobs of its runs, with the pod spec the sync role expects
// (internal/syncpod). It holds no client; the reconcilers create what it renders.
package workload

import (
	"crypto/sha256"
	"encoding/hex"
)

// Labels the manager puts on the CronJobs and Jobs it makes. Only these: labels copied from
// a parent would be pruned by GitOps tools that own the parent.
const (
	LabelManagedBy     = "app.kubernetes.io/managed-by"
	ManagedByValue     = "inventory-operator"
	LabelInventorySync = "inventory.techoms.io/inventory-sync"
	LabelTrigger       = "inventory.techoms.io/trigger"
	// LabelPlan marks the Job of a plan, which writes nothing and is no run of the sync.
	LabelPlan = "inventory.techoms.io/plan"
	// AnnotationSyncRequest records the sync-requested-at token a manual Job was made for.
	AnnotationSyncRequest = "inventory.techoms.io/sync-request"
	// AnnotationPlanRequest records the plan-requested-at token a plan's Job was made for.
	AnnotationPlanRequest = "inventory.techoms.io/plan-request"
)

// MaxSyncNameLength bounds InventorySync names so every child name fits: a CronJob's name
// may have at most 52 characters (its Jobs add an 11-character suffix and must fit in 63).
const MaxSyncNameLength = 52

// CronJobName is the CronJob of a recurring InventorySync: the sync's own name.
func CronJobName(syncName string) string { return syncName }

// OneOffJobName is the single Job of a one-off InventorySync.
func OneOffJobName(syncName string) string { return syncName + "-once" }

// ManualJobName is the Job of a manual sync request: one per sync, trigger and token, so a
// token handled twice (a retried reconcile) still makes one Job.
func ManualJobName(syncName, kind, token string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + token))
	return syncName + "-" + kind + "-" + hex.EncodeToString(sum[:])[:8]
}

// Job name kinds for ManualJobName.
const (
	KindFulfillmentManual  = "m"
	KindSalesChannelManual = "s"
	KindPlan               = "p"
)
