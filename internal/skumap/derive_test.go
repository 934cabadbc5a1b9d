package skumap

import (
	"slices"
	"testing"
)

func TestDerived(t *testing.T) {
	rows := []Row{
		{"SHOP-TEE-M", "TS-M", 1, 2, ""},
		{"GIFT-BOX", "MUG", 1, 3, ""},
		{"GIFT-BOX", "TEA", 2, 4, ""},
		{"MUG", "MUG", 1, 5, ""},
		{"SIX-PACK", "CAN", 6, 6, ""},
	}
	for _, tc := range []struct {
		unmapped    Unmapped
		sku         string
		want        []string
		wantSkipped bool
	}{
		{UnmappedSelf, "TS-M", []string{"SHOP-TEE-M"}, false},
		{UnmappedSelf, "MUG", []string{"GIFT-BOX", "MUG"}, false},
		{UnmappedSelf, "TEA", []string{"GIFT-BOX"}, false},
		{UnmappedSelf, "CAN", []string{"SIX-PACK"}, false},
		{UnmappedSelf, "SOCK", []string{"SOCK"}, false},
		{UnmappedSkip, "SOCK", nil, true},
		{UnmappedSkip, "MUG", []string{"GIFT-BOX", "MUG"}, false},
		// A channel SKU of the rows is shown from its components, never from its own level.
		{UnmappedSelf, "SHOP-TEE-M", nil, false},
		{UnmappedSelf, "GIFT-BOX", nil, false},
	} {
		m, err := New(rows, tc.unmapped)
		if err != nil {
			t.Fatal(err)
		}
		got, skipped := m.Derived(tc.sku)
		if !slices.Equal(got, tc.want) || skipped != tc.wantSkipped {
			t.Errorf("%s: Derived(%s) = %v, %v; want %v, %v", tc.unmapped, tc.sku, got, skipped, tc.want, tc.wantSkipped)
		}
	}
}
