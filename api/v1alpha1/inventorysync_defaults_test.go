package v1alpha1

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestInventorySyncDefaults(t *testing.T) {
	var empty InventorySyncSpec
	if got := empty.SuccessfulRunsHistoryLimitOrDefault(); got != 3 {
		t.Errorf("successful history limit %d, want 3", got)
	}
	if got := empty.FailedRunsHistoryLimitOrDefault(); got != 3 {
		t.Errorf("failed history limit %d, want 3", got)
	}
	set := InventorySyncSpec{SuccessfulRunsHistoryLimit: ptr.To[int32](0), FailedRunsHistoryLimit: ptr.To[int32](7)}
	if set.SuccessfulRunsHistoryLimitOrDefault() != 0 || set.FailedRunsHistoryLimitOrDefault() != 7 {
		t.Error("a set history limit is not kept")
	}
	for _, tc := range []struct {
		timeout  *metav1.Duration
		deadline int64
	}{
		{nil, 3600},
		{&metav1.Duration{Duration: 90 * time.Second}, 90},
		{&metav1.Duration{Duration: 500 * time.Millisecond}, 1},
		{&metav1.Duration{Duration: 1500 * time.Millisecond}, 2},
	} {
		s := InventorySyncSpec{RunTimeout: tc.timeout}
		if got := s.RunDeadlineSeconds(); got != tc.deadline {
			t.Errorf("runTimeout %v: deadline %d, want %d", tc.timeout, got, tc.deadline)
		}
	}
}
