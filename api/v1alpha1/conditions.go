package v1alpha1

// Condition types.
const (
	// ConditionReady summarises whether the object is doing what its spec asks.
	ConditionReady = "Ready"
	// ConditionReconciling is present, True, only while the manager's own work towards the
	// spec is unfinished: today, while it retries a failed reconcile. A sync run in progress
	// is not the manager's work; it shows in status.active.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is present, True, only when the manager cannot progress without a
	// change to the spec.
	ConditionStalled = "Stalled"
	// ConditionModeOverridden is True when duplicateSKUs: UpdateAll forces the effective mode.
	ConditionModeOverridden = "ModeOverridden"
	// ConditionDuplicateSKUsUnsupported is True when UpdateAll is set on a platform that
	// does not support duplicate-SKU handling.
	ConditionDuplicateSKUsUnsupported = "DuplicateSKUsUnsupported"
	// ConditionSuspended is True while scheduled runs are stopped, by the spec or by the mode.
	ConditionSuspended = "Suspended"
	// ConditionInSync is True when the last drift check found nothing a run would change,
	// False (reason Drifted) when it found SKUs; absent without spec.driftCheck or before
	// the first check.
	ConditionInSync = "InSync"
	// ConditionMappingValid is present when a sync has a catalog mapping: True once its rows
	// are read and valid, False with a reason saying what to fix.
	ConditionMappingValid = "MappingValid"
	// ConditionRunQueued is present, True, while a manual run or a drift correction waits for
	// the sync's running Job to end: one run of an InventorySync at a time.
	ConditionRunQueued = "RunQueued"
)

// Condition reasons, one CamelCase word each.
const (
	ReasonSucceeded = "Succeeded"
	// ReasonRunInProgress: a requested run waits for the sync's running Job.
	ReasonRunInProgress     = "RunInProgress"
	ReasonCredentialsFound  = "CredentialsFound"
	ReasonSecretNotFound    = "SecretNotFound"
	ReasonSecretKeyNotFound = "SecretKeyNotFound"
	// ReasonOperatorSecret: a credential reference names one of the operator's own Secrets.
	ReasonOperatorSecret         = "OperatorSecret"
	ReasonDuplicateSKUsUpdateAll = "DuplicateSKUsUpdateAll"
	ReasonPlatformUnsupported    = "PlatformUnsupported"
	ReasonSalesChannelNotFound   = "SalesChannelNotFound"
	ReasonModeDoesNotPush        = "ModeDoesNotPush"
	ReasonSuspendedBySpec        = "SuspendedBySpec"
	ReasonInvalidSchedule        = "InvalidSchedule"
	ReasonInvalidTimeZone        = "InvalidTimeZone"
	ReasonScheduled              = "Scheduled"
	ReasonLastRunSucceeded       = "LastRunSucceeded"
	ReasonLastRunFailed          = "LastRunFailed"
	// ReasonLastRunSuperseded: the last run's feeds were older than a snapshot already
	// written, and it wrote nothing.
	ReasonLastRunSuperseded      = "LastRunSuperseded"
	ReasonWaitingForRun          = "WaitingForRun"
	ReasonRunCompleted           = "RunCompleted"
	ReasonNotSuspended           = "NotSuspended"
	ReasonPushesFulfillmentSyncs = "PushesFulfillmentSyncs"
	ReasonCronJobNameConflict    = "NameConflict"
	// ReasonRetryingAfterError: Reconciling while the manager retries a failed reconcile.
	ReasonRetryingAfterError = "RetryingAfterError"
	// ReasonReconcileFailed: Ready is False because the last reconcile failed.
	ReasonReconcileFailed = "ReconcileFailed"
	// ReasonInSync and ReasonDrifted: the InSync condition after a drift check.
	ReasonInSync  = "InSync"
	ReasonDrifted = "Drifted"
	// Reasons of MappingValid.
	ReasonMappingLoaded        = "MappingLoaded"
	ReasonConfigMapNotFound    = "ConfigMapNotFound"
	ReasonConfigMapKeyNotFound = "ConfigMapKeyNotFound"
	ReasonMappingInvalid       = "MappingInvalid"
	// ReasonValidatedByRuns: a mapping read from a URL, which only the runs read.
	ReasonValidatedByRuns = "ValidatedByRuns"
)
