package v1alpha1

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SyncResult is what one sync run reports. The sync pod writes it as JSON to its termination
// message, and the manager copies it into the InventorySync status, so both sides use this type.
// It stays small: the kubelet keeps at most 4 KiB of a termination message.
// +kubebuilder:object:generate=true
type SyncResult struct {
	// SKUs counts what the run did, SKU by SKU.
	SKUs SKUCounts `json:"skus"`

	// Failures is a short sample of the SKUs that failed, with their reasons.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=10
	Failures []SKUFailure `json:"failures,omitempty"`

	// Changes is, for a plan, a short sample of the SKUs a run would change.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=10
	Changes []PlannedChange `json:"changes,omitempty"`

	// Mapping says where the channel SKUs read came from, for a sync with a catalog mapping.
	// +optional
	Mapping *MappingCounts `json:"mapping,omitempty"`

	// Reserved counts the units subtracted for reservations after the feed's snapshot, for a
	// sync with reservations.
	// +optional
	Reserved *ReservedCounts `json:"reserved,omitempty"`

	// SnapshotTime is when the levels the run compared and wrote were true (for summed
	// feeds, the oldest of their snapshots), for a run that went on to write.
	// +optional
	SnapshotTime *metav1.Time `json:"snapshotTime,omitempty"`

	// Superseded says the run wrote nothing because its feeds' snapshot was older than one
	// an earlier run already wrote.
	// +optional
	Superseded bool `json:"superseded,omitempty"`

	// Message says why the run stopped early (for example a malformed feed), when it did.
	// +optional
	Message string `json:"message,omitempty"`
}

// PlannedChange is one SKU a plan found the channel should change: the quantity its item
// shows and the one a run would write (for several items of an UpdateAll SKU, the first
// that differs).
type PlannedChange struct {
	SKU  string `json:"sku"`
	From int64  `json:"from"`
	To   int64  `json:"to"`
	// Feed is the feeds' level when the allocation rules or reservations lowered it to To,
	// which is why the channel would show less than the warehouse holds; zero when neither
	// did (both only ever lower a level, so a lowered one was above zero).
	// +optional
	Feed int64 `json:"feed,omitempty"`
	// LimitedBy is, for a kit, the component whose level sets what the kit shows.
	// +optional
	LimitedBy string `json:"limitedBy,omitempty"`
	// Reserved is how many units of the difference between the feed's level and To are
	// reservations after the feed's snapshot.
	// +optional
	Reserved int64 `json:"reserved,omitempty"`
}

// MaxChangeSample is how many planned changes a SyncResult carries at most.
const MaxChangeSample = 10

// SKUCounts counts the SKUs of one run; in a plan, updated counts the SKUs a run would update. read = unchanged + updated + skippedDuplicates +
// notFound + untracked + notStocked + nativeBundles + failed, so nothing a run read goes
// unaccounted for. Under a catalog mapping read counts channel SKUs (see docs/design.md).
type SKUCounts struct {
	// Read is the number of SKUs in the fulfillment feed; under a catalog mapping, the
	// channel SKUs the mapping derived from it.
	Read int64 `json:"read"`
	// Unchanged SKUs already showed the right quantity on the channel.
	Unchanged int64 `json:"unchanged"`
	// Updated SKUs were pushed and acknowledged by the channel.
	Updated int64 `json:"updated"`
	// SkippedDuplicates SKUs are shared by several channel items and were left untouched
	// under the Skip policy.
	SkippedDuplicates int64 `json:"skippedDuplicates"`
	// NotFound SKUs have no item on the channel.
	// +optional
	NotFound int64 `json:"notFound,omitempty"`
	// Untracked SKUs have only items whose inventory the channel does not track; nothing
	// was written to them.
	// +optional
	Untracked int64 `json:"untracked,omitempty"`
	// NotStocked SKUs have only items not stocked at the location, and the channel does not
	// stock items (spec.inventory.stockUnstockedItems); nothing was written to them.
	// +optional
	NotStocked int64 `json:"notStocked,omitempty"`
	// NativeBundles SKUs have only items the channel computes from components itself (a
	// Shopify bundle): they are never written.
	// +optional
	NativeBundles int64 `json:"nativeBundles,omitempty"`
	// Failed SKUs were pushed and not applied.
	Failed int64 `json:"failed"`
}

// Summary is the counts in one line, for events, conditions and logs; the counts that are
// zero and rare (not found, untracked, not stocked) are left out.
func (c SKUCounts) Summary() string {
	s := fmt.Sprintf("read %d, updated %d, unchanged %d, skipped as duplicates %d", c.Read, c.Updated, c.Unchanged, c.SkippedDuplicates)
	for _, rare := range []struct {
		name string
		n    int64
	}{{"not found", c.NotFound}, {"untracked", c.Untracked}, {"not stocked", c.NotStocked}, {"native bundles", c.NativeBundles}} {
		if rare.n != 0 {
			s += fmt.Sprintf(", %s %d", rare.name, rare.n)
		}
	}
	return s + fmt.Sprintf(", failed %d", c.Failed)
}

// SKUFailure is one SKU that a run could not update, and why.
type SKUFailure struct {
	SKU    string `json:"sku"`
	Reason string `json:"reason"`
}

// MaxFailureSample is how many failures a SyncResult carries at most.
const MaxFailureSample = 10
