package syncrun

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func TestEncodeStaysWithinTheTerminationMessageLimit(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"long ASCII", strings.Repeat("x", 10_000)},
		{"multi-byte runes", strings.Repeat("é漢", 5_000)},
		// Control characters take six bytes each once escaped.
		{"escaped control characters", strings.Repeat("\x01", 10_000)},
		{"HTML characters", strings.Repeat("<>&", 5_000)},
		{"quotes", strings.Repeat(`"\\`, 5_000)},
		{"invalid UTF-8", strings.Repeat("\xff", 10_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := v1alpha1.SyncResult{
				SKUs:    v1alpha1.SKUCounts{Read: 1 << 62, Unchanged: 1 << 62, Updated: 1 << 62, SkippedDuplicates: 1 << 62, NotFound: 1 << 62, Failed: 1 << 62},
				Message: tt.text,
			}
			for range 25 {
				r.Failures = append(r.Failures, v1alpha1.SKUFailure{SKU: tt.text, Reason: tt.text})
			}
			out := Encode(r)
			if len(out) > MaxResultBytes {
				t.Fatalf("%d bytes, want at most %d", len(out), MaxResultBytes)
			}
			var back v1alpha1.SyncResult
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if back.SKUs != r.SKUs {
				t.Errorf("counts %+v, want %+v", back.SKUs, r.SKUs)
			}
			if len(back.Failures) == 0 || len(back.Failures) > v1alpha1.MaxFailureSample {
				t.Errorf("%d failures kept, want 1 to %d", len(back.Failures), v1alpha1.MaxFailureSample)
			}
			for _, f := range append([]string{back.Message}, back.Failures[0].SKU, back.Failures[0].Reason) {
				if !utf8.ValidString(f) {
					t.Errorf("text cut inside a rune: %q", f)
				}
			}
		})
	}
}

func TestEncodeKeepsASmallResultAsItIs(t *testing.T) {
	r := v1alpha1.SyncResult{
		SKUs:     v1alpha1.SKUCounts{Read: 3, Updated: 2, Failed: 1},
		Failures: []v1alpha1.SKUFailure{{SKU: "A", Reason: "refused: quantity is not \"5\""}},
	}
	want, _ := json.Marshal(r)
	if got := Encode(r); string(got) != string(want) {
		t.Errorf("Encode = %s, want %s", got, want)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdefgh", 7, "abcd…"},
		{"ééé", 5, "é…"},
		{"ééé", 4, "…"},   // the second 2-byte rune does not fit beside the ellipsis
		{"ééé", 6, "ééé"}, // fits as is
		{"éééé", 7, "éé…"},
		{"abc", 2, ""},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// A plan's sample of kits, each naming a long limiting component, with the mapping counts,
// still fits the termination message, and the limiting components are shortened like SKUs.
func TestEncodeShortensLimitingComponents(t *testing.T) {
	long := strings.Repeat("c", 1_000)
	r := v1alpha1.SyncResult{
		SKUs:    v1alpha1.SKUCounts{Read: 1 << 62, Updated: 1 << 62},
		Mapping: &v1alpha1.MappingCounts{Rows: 1 << 40, WarehouseSKUs: 1 << 40, Kits: 1 << 40, Aliases: 1 << 40, Unmapped: 1 << 40, SkippedUnmapped: 1 << 40},
	}
	for range v1alpha1.MaxChangeSample {
		r.Changes = append(r.Changes, v1alpha1.PlannedChange{SKU: long, From: 1, To: 2, LimitedBy: long + "\x01"})
	}
	out := Encode(r)
	if len(out) > MaxResultBytes {
		t.Fatalf("%d bytes, want at most %d", len(out), MaxResultBytes)
	}
	var back v1alpha1.SyncResult
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back.Mapping == nil || *back.Mapping != *r.Mapping || len(back.Changes) == 0 {
		t.Fatalf("decoded %+v", back)
	}
	for _, c := range back.Changes {
		if len(c.LimitedBy) > maxSKUBytes || strings.ContainsRune(c.LimitedBy, '\x01') {
			t.Errorf("limiting component of %d bytes, or with a control character", len(c.LimitedBy))
		}
	}
}
