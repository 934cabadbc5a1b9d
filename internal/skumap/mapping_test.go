package skumap

import (
	"errors"
	"strings"
	"testing"
)

func TestNewRejectsInvalidRowsNamingThem(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows []Row
		want []string
	}{
		{"quantity zero", []Row{{"BOX", "MUG", 0, 2, ""}}, []string{`line 2 ("BOX", "MUG", 0): quantity 0 is outside 1..1000000`}},
		{"quantity above the bound", []Row{{"BOX", "MUG", 1_000_001, 3, ""}}, []string{"line 3", "outside 1..1000000"}},
		{"negative quantity", []Row{{"BOX", "MUG", -2, 4, ""}}, []string{"line 4", "quantity -2"}},
		{"empty channel SKU", []Row{{"", "MUG", 1, 5, ""}}, []string{"line 5", "channel SKU is empty"}},
		{"empty warehouse SKU", []Row{{"BOX", "", 1, 6, ""}}, []string{"line 6", "warehouse SKU is empty"}},
		{"repeated pair", []Row{{"BOX", "MUG", 1, 2, ""}, {"BOX", "MUG", 2, 7, ""}}, []string{"line 7", "repeats the pair of line 2"}},
		{"two-row cycle", []Row{{"A", "B", 1, 2, ""}, {"B", "A", 1, 3, ""}}, []string{`line 2 ("A", "B", 1): cycle "A" → "B" → "A"`}},
		{"three-row cycle", []Row{{"A", "B", 1, 2, ""}, {"B", "C", 1, 3, ""}, {"C", "A", 2, 4, ""}}, []string{`cycle "A" → "B" → "C" → "A"`}},
		{"kit of a kit", []Row{{"CRATE", "BOX", 2, 2, ""}, {"BOX", "MUG", 1, 3, ""}, {"BOX", "TEA", 1, 4, ""}}, []string{"line 2", `warehouse SKU "BOX" is a kit or alias`, "one level deep"}},
		{"unknown unmapped policy", nil, []string{"unmapped must be Self or Skip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unmapped := UnmappedSelf
			if tc.rows == nil {
				unmapped = "Sometimes"
			}
			m, err := New(tc.rows, unmapped)
			if err == nil {
				t.Fatalf("New accepted %v: %+v", tc.rows, m)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestNewAcceptsSelfRowsInsideKits(t *testing.T) {
	// A component sold alone is a row mapping it to itself; that is no chain nor cycle.
	m, err := New([]Row{{"MUG", "MUG", 1, 2, ""}, {"BOX", "MUG", 2, 3, ""}, {"BOX", "TEA", 1, 4, ""}, {"SIX", "SIX", 6, 5, ""}}, UnmappedSelf)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows() != 4 {
		t.Errorf("Rows() = %d, want 4", m.Rows())
	}
	comps, ok := m.Components("BOX")
	if !ok || len(comps) != 2 || comps[0] != (Component{"MUG", 2}) || comps[1] != (Component{"TEA", 1}) {
		t.Errorf("Components(BOX) = %v, %v", comps, ok)
	}
}

func TestNewListsSeveralProblemsThenCounts(t *testing.T) {
	var rows []Row
	for i := range 8 {
		rows = append(rows, Row{ChannelSKU: "K", WarehouseSKU: "W" + string(rune('a'+i)), Quantity: 0, Position: i + 2})
	}
	_, err := New(rows, UnmappedSelf)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	if len(e.Problems) != maxProblems || e.More != 8-maxProblems {
		t.Errorf("problems %d, more %d; want %d and %d", len(e.Problems), e.More, maxProblems, 8-maxProblems)
	}
	if !strings.HasSuffix(err.Error(), "; and 3 more") {
		t.Errorf("error %q does not say how many more", err)
	}
}
