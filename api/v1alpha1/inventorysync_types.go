package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// InventorySyncSpec is one synchronization from a fulfillment channel into a sales channel.
// +kubebuilder:validation:XValidation:rule="has(self.schedule) || !has(self.timeZone)",message="timeZone needs a schedule"
// +kubebuilder:validation:XValidation:rule="has(self.schedule) || !has(self.suspend) || !self.suspend",message="suspend applies only to a recurring sync (one with a schedule)"
// +kubebuilder:validation:XValidation:rule="has(oldSelf.schedule) == has(self.schedule)",message="schedule cannot be added to or removed from an existing InventorySync: a sync is either recurring or one-off"
// +kubebuilder:validation:XValidation:rule="oldSelf.salesChannelRef.name == self.salesChannelRef.name",message="salesChannelRef is immutable"
type InventorySyncSpec struct {
	// SalesChannelRef names the SalesChannel, in the same namespace, that receives the levels.
	// +required
	SalesChannelRef LocalObjectReference `json:"salesChannelRef"`

	// FulfillmentChannel is where the levels come from.
	// +required
	FulfillmentChannel FulfillmentChannel `json:"fulfillmentChannel"`

	// Schedule, in cron format, makes the sync recurring (a CronJob). Without it the sync is
	// a one-off fulfillment-channel manual sync (a single Job).
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Schedule *string `json:"schedule,omitempty"`

	// TimeZone of the schedule, an IANA name such as Europe/Berlin. Defaults to the
	// kube-controller-manager's time zone.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_+\-/]+$`
	TimeZone *string `json:"timeZone,omitempty"`

	// Suspend stops scheduled runs; manual syncs still run.
	// +optional
	Suspend *bool `json:"suspend,omitempty"`

	// SuccessfulRunsHistoryLimit is how many finished successful Jobs to keep.
	// +optional
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	SuccessfulRunsHistoryLimit *int32 `json:"successfulRunsHistoryLimit,omitempty"`

	// FailedRunsHistoryLimit is how many finished failed Jobs to keep.
	// +optional
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	FailedRunsHistoryLimit *int32 `json:"failedRunsHistoryLimit,omitempty"`

	// RunTimeout bounds one run, retries included (the Job's activeDeadlineSeconds, whole
	// seconds rounded up). At least 1s.
	// +optional
	// +kubebuilder:default="1h"
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="runTimeout must be at least 1s"
	RunTimeout *metav1.Duration `json:"runTimeout,omitempty"`

	// Allocation replaces, as a whole, the SalesChannel's allocation rules for this sync's
	// location, in its runs, plans and relay writes.
	// +optional
	Allocation *AllocationRules `json:"allocation,omitempty"`

	// DriftCheck runs a plan on a schedule and reports whether the channel drifted from what
	// a run would write.
	// +optional
	DriftCheck *DriftCheck `json:"driftCheck,omitempty"`
	// Mapping replaces, as a whole, the SalesChannel's catalog mapping for this sync's runs
	// and plans.
	// +optional
	Mapping *CatalogMapping `json:"mapping,omitempty"`
	// Reservations has runs and plans subtract the stock taken out after the feed's
	// snapshot, as the relay recorded it (see docs/design.md, Snapshots and reservations).
	// +optional
	Reservations *ReservationsSource `json:"reservations,omitempty"`
}

// LocalObjectReference names an object in the same namespace.
type LocalObjectReference struct {
	// Name of the object: a DNS subdomain, as every object name is, so that a name that
	// cannot exist is refused at once instead of waiting for an object that never comes.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`
}

// FulfillmentChannel is a warehouse, or several summed into one location, and the feeds of
// their current levels.
// +kubebuilder:validation:XValidation:rule="has(self.feed) != has(self.feeds)",message="set exactly one of feed and feeds"
type FulfillmentChannel struct {
	// Name of the fulfillment channel, as the OMS knows it (for example warehouse-berlin).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Feed is where a sync reads the levels. Set it or feeds.
	// +optional
	Feed *FeedSource `json:"feed,omitempty"`

	// Feeds are several warehouses' feeds whose levels a sync sums per SKU before writing
	// them at one location. A malformed feed fails the run, naming the feed, before anything
	// is written. Set it or feed.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=2
	// +kubebuilder:validation:MaxItems=16
	Feeds []NamedFeedSource `json:"feeds,omitempty"`

	// LocationID is the sales channel's location the levels are written at, for Shopify a
	// Location GID such as gid://shopify/Location/123.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	LocationID string `json:"locationID"`
}

// FeedSource is an HTTP feed of levels.
type FeedSource struct {
	// URL answers a GET with the levels.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && (url(self).getScheme() == 'https' || url(self).getScheme() == 'http')",message="url must be an absolute http or https URL"
	// +kubebuilder:validation:XValidation:rule="!self.contains('$(')",message="url must not contain '$(': a reference such as $(VAR) is never expanded"
	// +kubebuilder:validation:XValidation:rule="!self.matches('^[^:/?#]+://[^/?#]*@')",message="url must not carry user info (user:password@): a credential belongs in a Secret"
	URL string `json:"url"`

	// Format of the feed: CSV (header with sku and quantity), JSON (an array of
	// {sku, quantity}) or NDJSON (one such object a line). Gzip is accepted. Each may state
	// when its levels were true (snapshotTime, see docs/design.md). A feed holds at
	// most 2,000,000 entries and 64 MiB decompressed, an entry at most 64 KiB; a SKU has at most
	// 255 characters and a quantity is an integer from 0 to 1,000,000,000.
	// +optional
	// +kubebuilder:default=CSV
	Format FeedFormat `json:"format,omitempty"`

	// BearerTokenSecretRef names a Secret key holding a bearer token for the feed.
	// +optional
	BearerTokenSecretRef *SecretKeySelector `json:"bearerTokenSecretRef,omitempty"`
}

// NamedFeedSource is one of several feeds, named so that a run's errors say which one.
type NamedFeedSource struct {
	// Name of the feed, for example the warehouse it lists.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	FeedSource `json:",inline"`
}

// FeedList is every feed of the fulfillment channel, named: feed alone takes the fulfillment
// channel's name.
func (f FulfillmentChannel) FeedList() []NamedFeedSource {
	if f.Feed != nil {
		return []NamedFeedSource{{Name: f.Name, FeedSource: *f.Feed}}
	}
	return f.Feeds
}

// RunResult is how a run ended.
type RunResult string

const (
	RunSucceeded RunResult = "Succeeded"
	RunFailed    RunResult = "Failed"
	// RunSuperseded: the run's feeds were older than a snapshot already written to the
	// channel, so it wrote nothing.
	RunSuperseded RunResult = "Superseded"
)

// SyncRun is one run of an InventorySync: its Job and what it reported.
type SyncRun struct {
	// Job is the name of the run's Job.
	Job string `json:"job"`
	// Trigger is what caused the run.
	Trigger Trigger `json:"trigger"`
	// Strategy is how the run wrote quantities.
	// +optional
	Strategy Strategy `json:"strategy,omitempty"`
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`
	// Result is Succeeded, Failed, or Superseded when the run's feeds were older than a
	// snapshot already written and it wrote nothing.
	// +optional
	Result RunResult `json:"result,omitempty"`
	// SnapshotTime is when the levels the run wrote were true, for a run that wrote.
	// +optional
	SnapshotTime *metav1.Time `json:"snapshotTime,omitempty"`
	// SKUs counts what the run did, when its pod reported it.
	// +optional
	SKUs *SKUCounts `json:"skus,omitempty"`
	// Failures is a sample of the SKUs that failed.
	// +optional
	// +listType=atomic
	Failures []SKUFailure `json:"failures,omitempty"`
	// Mapping says where the channel SKUs read came from, for a sync with a catalog mapping.
	// +optional
	Mapping *MappingCounts `json:"mapping,omitempty"`
	// Reserved counts the units subtracted for reservations after the feed's snapshot, for
	// a sync with reservations.
	// +optional
	Reserved *ReservedCounts `json:"reserved,omitempty"`
	// Message says why the run failed, when it did.
	// +optional
	Message string `json:"message,omitempty"`
}

// SyncPlan is a plan: a run that wrote nothing and reports what a run would change.
type SyncPlan struct {
	// Job is the name of the plan's Job.
	Job string `json:"job"`
	// RequestedAt is the plan-requested-at token the plan answers.
	RequestedAt string `json:"requestedAt"`
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`
	// +optional
	CompletionTime *metav1.Time `json:"completionTime,omitempty"`
	// Result is Succeeded or Failed; empty while the plan runs.
	// +optional
	Result RunResult `json:"result,omitempty"`
	// SKUs counts what a run would do: updated is the SKUs it would change.
	// +optional
	SKUs *SKUCounts `json:"skus,omitempty"`
	// Changes is a sample of the changes a run would write, in SKU order.
	// +optional
	// +listType=atomic
	Changes []PlannedChange `json:"changes,omitempty"`
	// Mapping says where the channel SKUs read came from, for a sync with a catalog mapping.
	// +optional
	Mapping *MappingCounts `json:"mapping,omitempty"`
	// Reserved counts the units a run would subtract for reservations after the feed's
	// snapshot, for a sync with reservations.
	// +optional
	Reserved *ReservedCounts `json:"reserved,omitempty"`
	// Message says why the plan failed, when it did.
	// +optional
	Message string `json:"message,omitempty"`
}

// ActiveRun is a run whose Job has not finished.
type ActiveRun struct {
	Job     string  `json:"job"`
	Trigger Trigger `json:"trigger"`
	// +optional
	StartTime *metav1.Time `json:"startTime,omitempty"`
}

// InventorySyncStatus is what the manager observed of an InventorySync.
type InventorySyncStatus struct {
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// EffectiveMode is the sales channel's mode once the duplicate-SKU rule is applied.
	// +optional
	EffectiveMode InventoryMode `json:"effectiveMode,omitempty"`

	// Strategy is how scheduled and fulfillment-channel manual runs write quantities under
	// the effective mode; empty when that mode pushes none.
	// +optional
	Strategy Strategy `json:"strategy,omitempty"`

	// CronJobName is the CronJob of a recurring sync.
	// +optional
	CronJobName string `json:"cronJobName,omitempty"`

	// NextSyncTime is when the next scheduled run is due; empty while suspended.
	// +optional
	NextSyncTime *metav1.Time `json:"nextSyncTime,omitempty"`

	// Active lists the runs in progress.
	// +optional
	// +listType=atomic
	Active []ActiveRun `json:"active,omitempty"`

	// LastRun is the most recent finished run.
	// +optional
	LastRun *SyncRun `json:"lastRun,omitempty"`

	// LastSuccessfulRun is the most recent run that succeeded.
	// +optional
	LastSuccessfulRun *SyncRun `json:"lastSuccessfulRun,omitempty"`

	// WrittenSnapshotTime is the newest feed snapshot a run wrote to the channel. Every new
	// run is told it, and one whose feeds are older writes nothing and reports Superseded.
	// +optional
	WrittenSnapshotTime *metav1.Time `json:"writtenSnapshotTime,omitempty"`

	// LastHandledSyncRequest is the last sync-requested-at token acted on.
	// +optional
	LastHandledSyncRequest string `json:"lastHandledSyncRequest,omitempty"`

	// LastHandledPlanRequest is the last plan-requested-at token acted on.
	// +optional
	LastHandledPlanRequest string `json:"lastHandledPlanRequest,omitempty"`

	// LastPlan is the most recent plan: what a run would change, written by nothing.
	// +optional
	LastPlan *SyncPlan `json:"lastPlan,omitempty"`

	// Drift is what the scheduled drift checks found (spec.driftCheck).
	// +optional
	Drift *DriftStatus `json:"drift,omitempty"`
	// Mapping is the catalog mapping the sync's runs and plans use, when it has one: its
	// source and rows as last validated (the MappingValid condition says whether it is).
	// +optional
	Mapping *MappingStatus `json:"mapping,omitempty"`

	// Conditions: Ready, Suspended, and Reconciling or Stalled when true.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// InventorySync is one synchronization from a fulfillment channel's feed into a sales
// channel: recurring (a CronJob the manager owns) or one-off (a Job).
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:validation:XValidation:rule="size(self.metadata.name) <= 52",message="name must be at most 52 characters: it names the sync's CronJob, whose Jobs add a suffix"
// +kubebuilder:resource:shortName=isync;invsync,categories=inventory
// +kubebuilder:printcolumn:name="Channel",type=string,JSONPath=`.spec.salesChannelRef.name`
// +kubebuilder:printcolumn:name="Schedule",type=string,JSONPath=`.spec.schedule`
// +kubebuilder:printcolumn:name="Effective Mode",type=string,JSONPath=`.status.effectiveMode`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Last Sync",type=date,JSONPath=`.status.lastRun.completionTime`
// +kubebuilder:printcolumn:name="Last Result",type=string,JSONPath=`.status.lastRun.result`
// +kubebuilder:printcolumn:name="Drift",type=string,JSONPath=`.status.drift.state`,description="InSync or Drifted, at the last drift check (spec.driftCheck)."
// +kubebuilder:printcolumn:name="Next Sync",type=string,JSONPath=`.status.nextSyncTime`,priority=1,description="When the next scheduled run is due (UTC). A string, not a date: kubectl shows date columns as an age and a future time as <invalid>."
// +kubebuilder:printcolumn:name="Updated",type=integer,JSONPath=`.status.lastRun.skus.updated`,priority=1
// +kubebuilder:printcolumn:name="Failed",type=integer,JSONPath=`.status.lastRun.skus.failed`,priority=1
// +kubebuilder:printcolumn:name="Untracked",type=integer,JSONPath=`.status.lastRun.skus.untracked`,priority=1
// +kubebuilder:printcolumn:name="Not Stocked",type=integer,JSONPath=`.status.lastRun.skus.notStocked`,priority=1
// +kubebuilder:printcolumn:name="Plan Updates",type=integer,JSONPath=`.status.lastPlan.skus.updated`,priority=1,description="How many SKUs the last plan found a run would update."
// +kubebuilder:printcolumn:name="Mapping",type=string,JSONPath=`.status.mapping.source`,priority=1,description="Where the sync's catalog mapping comes from."
// +kubebuilder:printcolumn:name="Mapping Rows",type=integer,JSONPath=`.status.mapping.rows`,priority=1,description="Rows of the sync's catalog mapping."
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type InventorySync struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec InventorySyncSpec `json:"spec"`
	// +optional
	Status InventorySyncStatus `json:"status,omitempty"`
}

// InventorySyncList is a list of InventorySyncs.
// +kubebuilder:object:root=true
type InventorySyncList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []InventorySync `json:"items"`
}

func init() {
	SchemeBuilder.Register(&InventorySync{}, &InventorySyncList{})
}
