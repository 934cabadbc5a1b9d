package syncrun_test

import (
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

// TestRunNeverWritesAnOlderSnapshot runs a feed true at 12:00 after an earlier run wrote
// the snapshot of another time: older than the feed, equal, newer, or none known.
func TestRunNeverWritesAnOlderSnapshot(t *testing.T) {
	snapshot := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		written    time.Time
		superseded bool
	}{
		{"none written", time.Time{}, false},
		{"older written", snapshot.Add(-time.Hour), false},
		{"same written", snapshot, false},
		{"newer written", snapshot.Add(time.Second), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := newWebhookChannel(t, item("1", "A", 2), item("2", "B", 3))
			src := levels(t, "A=5", "B=3")
			src.Levels = src.Levels.WithSnapshot(snapshot)
			opts := options(src, ch.conn)
			opts.WrittenSnapshot = tt.written

			report := syncrun.Run(t.Context(), opts)

			if got := report.Result.SnapshotTime; got == nil || !got.Time.Equal(snapshot) {
				t.Errorf("snapshotTime %v, want %v", got, snapshot)
			}
			if report.Result.Superseded != tt.superseded {
				t.Fatalf("superseded %v, want %v (result %+v)", report.Result.Superseded, tt.superseded, report.Result)
			}
			if !tt.superseded {
				checkCounts(t, report, v1alpha1.SKUCounts{Read: 2, Unchanged: 1, Updated: 1}, syncrun.Succeeded)
				checkQuantities(t, ch, map[string]int64{"1": 5, "2": 3})
				return
			}
			checkCounts(t, report, v1alpha1.SKUCounts{}, syncrun.Succeeded)
			checkQuantities(t, ch, map[string]int64{"1": 2, "2": 3})
			if n := ch.rc.Stats().Writes; n != 0 {
				t.Errorf("%d writes, want none", n)
			}
			if !strings.Contains(report.Result.Message, "superseded") {
				t.Errorf("message %q does not say the run was superseded", report.Result.Message)
			}
		})
	}
}

// TestPlanIsNeverSuperseded: a plan writes nothing, so an older feed still shows what a
// run of it would change.
func TestPlanIsNeverSuperseded(t *testing.T) {
	snapshot := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ch := newWebhookChannel(t, item("1", "A", 2))
	src := levels(t, "A=5")
	src.Levels = src.Levels.WithSnapshot(snapshot)
	opts := options(src, ch.conn)
	opts.PlanOnly, opts.WrittenSnapshot = true, snapshot.Add(time.Hour)

	report := syncrun.Run(t.Context(), opts)

	if report.Result.Superseded {
		t.Fatalf("plan reported superseded: %+v", report.Result)
	}
	checkCounts(t, report, v1alpha1.SKUCounts{Read: 1, Updated: 1}, syncrun.Succeeded)
}
