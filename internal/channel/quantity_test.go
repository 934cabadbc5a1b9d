package channel

import (
	"math"
	"testing"
)

func TestAddQuantities(t *testing.T) {
	for _, tc := range []struct {
		a, b, sum int64
		ok        bool
	}{
		{1, 2, 3, true},
		{MaxQuantity, 0, MaxQuantity, true},
		{MaxQuantity, 1, 0, false},
		{-MaxQuantity, -1, 0, false},
		{math.MaxInt64, 2, 0, false},
		{math.MinInt64, -1, 0, false},
		{MaxQuantity, -MaxQuantity, 0, true},
	} {
		sum, ok := AddQuantities(tc.a, tc.b)
		if ok != tc.ok || (ok && sum != tc.sum) {
			t.Errorf("AddQuantities(%d, %d) = %d, %v; want %d, %v", tc.a, tc.b, sum, ok, tc.sum, tc.ok)
		}
	}
}

func TestCheckQuantity(t *testing.T) {
	if err := CheckQuantity("increment", 3_000_000_000); err == nil {
		t.Fatal("3,000,000,000 accepted")
	}
	if err := CheckQuantity("increment", -MaxQuantity); err != nil {
		t.Fatal(err)
	}
}
