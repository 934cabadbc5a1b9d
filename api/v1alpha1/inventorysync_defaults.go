package v1alpha1

import (
	"time"

	"k8s.io/utils/ptr"
)

// Defaults of an InventorySync's spec. The CRD applies them to what the API server stores;
// the accessors below apply them to objects built elsewhere (tests, older stored objects).
const (
	DefaultRunsHistoryLimit int32 = 3
	DefaultRunTimeout             = time.Hour
	// MinRunTimeout is the shortest runTimeout: a Job's deadline is whole seconds.
	MinRunTimeout = time.Second
)

// SuccessfulRunsHistoryLimitOrDefault is how many finished successful Jobs to keep.
func (s *InventorySyncSpec) SuccessfulRunsHistoryLimitOrDefault() int32 {
	return ptr.Deref(s.SuccessfulRunsHistoryLimit, DefaultRunsHistoryLimit)
}

// FailedRunsHistoryLimitOrDefault is how many finished failed Jobs to keep.
func (s *InventorySyncSpec) FailedRunsHistoryLimitOrDefault() int32 {
	return ptr.Deref(s.FailedRunsHistoryLimit, DefaultRunsHistoryLimit)
}

// RunTimeoutOrDefault bounds one run, retries included.
func (s *InventorySyncSpec) RunTimeoutOrDefault() time.Duration {
	if s.RunTimeout == nil || s.RunTimeout.Duration <= 0 {
		return DefaultRunTimeout
	}
	return max(s.RunTimeout.Duration, MinRunTimeout)
}

// RunDeadlineSeconds is the run timeout as a Job's activeDeadlineSeconds, rounded up so a
// timeout below a whole second never becomes 0.
func (s *InventorySyncSpec) RunDeadlineSeconds() int64 {
	return int64((s.RunTimeoutOrDefault() + time.Second - 1) / time.Second)
}
