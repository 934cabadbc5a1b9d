package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// DriftCheck runs a plan on a schedule to find out whether the channel still shows what a
// run would write: in RealTimeAdjustment no full run ever comes, so an edit in the store's
// admin or a lost event would otherwise stay until someone looks.
type DriftCheck struct {
	// Schedule, in cron format, of the checks, in the sync's timeZone. A check runs in every
	// mode: a plan writes nothing.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Schedule string `json:"schedule"`

	// Correct starts a correcting run when a check finds drift, while the channel's effective
	// mode is RealTimeAdjustment (in SynchronizeWithFulfillmentChannel the schedule's runs
	// correct it; in DoNotSynchronize nothing is pushed).
	// +optional
	Correct bool `json:"correct,omitempty"`
}

// DriftState says whether the channel matches what a run would write.
// +kubebuilder:validation:Enum=InSync;Drifted
type DriftState string

const (
	// DriftInSync: the last check found nothing a run would change.
	DriftInSync DriftState = "InSync"
	// DriftDrifted: the last check found SKUs a run would change.
	DriftDrifted DriftState = "Drifted"
)

// DriftStatus is what the drift checks found.
type DriftStatus struct {
	// State of the channel at the last finished check; empty before the first.
	// +optional
	State DriftState `json:"state,omitempty"`
	// SKUs is how many SKUs a run would change, at the last finished check.
	// +optional
	SKUs int64 `json:"skus,omitempty"`
	// Sample is the first SKUs a run would change, with their quantities.
	// +optional
	// +listType=atomic
	Sample []PlannedChange `json:"sample,omitempty"`
	// CheckedAt is when the last finished check's plan ended.
	// +optional
	CheckedAt *metav1.Time `json:"checkedAt,omitempty"`
	// LastScheduledTime is the schedule time of the newest check started, from which the
	// next is counted.
	// +optional
	LastScheduledTime *metav1.Time `json:"lastScheduledTime,omitempty"`
	// NextCheckTime is when the next check is due.
	// +optional
	NextCheckTime *metav1.Time `json:"nextCheckTime,omitempty"`
	// CorrectingRun is the Job of the run the last drifted check started (driftCheck.correct).
	// +optional
	CorrectingRun string `json:"correctingRun,omitempty"`
	// QueuedCorrection is the check (its plan's token) whose correcting run waits for the
	// sync's running Job to end: one run of an InventorySync at a time.
	// +optional
	QueuedCorrection string `json:"queuedCorrection,omitempty"`
}

// DriftCheckTokenPrefix starts the plan token of a scheduled drift check, which tells its
// plans from those an annotation asked for.
const DriftCheckTokenPrefix = "drift-"
