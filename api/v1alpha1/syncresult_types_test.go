package v1alpha1

import "testing"

func TestSKUCountsSummary(t *testing.T) {
	tests := []struct {
		counts SKUCounts
		want   string
	}{
		{SKUCounts{Read: 5, Updated: 2, Unchanged: 1, SkippedDuplicates: 1, Failed: 1},
			"read 5, updated 2, unchanged 1, skipped as duplicates 1, failed 1"},
		{SKUCounts{Read: 6, Updated: 1, NotFound: 2, Untracked: 1, NotStocked: 2},
			"read 6, updated 1, unchanged 0, skipped as duplicates 0, not found 2, untracked 1, not stocked 2, failed 0"},
	}
	for _, tt := range tests {
		if got := tt.counts.Summary(); got != tt.want {
			t.Errorf("Summary() = %q, want %q", got, tt.want)
		}
	}
}
