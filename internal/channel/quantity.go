package channel

import "fmt"

// MaxQuantity bounds every quantity the operator reads, computes or writes, in both signs:
// feed levels, event increments, before and after values, and the sums of coalesced
// increments. Shopify refuses a total above 1,000,000,000 or below -1,000,000,000
// (InventorySetQuantitiesUserErrorCode INVALID_QUANTITY_TOO_HIGH and _TOO_LOW, Admin API
// 2026-10), and its GraphQL Int is 32-bit, so nothing beyond this bound can ever be applied.
const MaxQuantity int64 = 1_000_000_000

// CheckQuantity returns an error naming what when q is outside ±MaxQuantity.
func CheckQuantity(what string, q int64) error {
	if q > MaxQuantity || q < -MaxQuantity {
		return fmt.Errorf("%s %d is out of range: quantities are bounded by ±%d", what, q, MaxQuantity)
	}
	return nil
}

// AddQuantities adds two in-range quantities; ok is false when the sum leaves ±MaxQuantity.
// Both operands within the bound keep the int64 addition itself from overflowing.
func AddQuantities(a, b int64) (sum int64, ok bool) {
	if CheckQuantity("", a) != nil || CheckQuantity("", b) != nil {
		return 0, false
	}
	sum = a + b
	return sum, CheckQuantity("", sum) == nil
}
