package shopifytest

import (
	"strings"
	"testing"
)

// A value beyond Shopify's 32-bit Int refuses the whole call before anything runs, valid
// entries of the same call included.
func TestIntOutsideThirtyTwoBitsRefusesTheCall(t *testing.T) {
	s := newShop(t, 2, Options{})
	tests := []struct {
		name, mutation, field, wantPath string
		value                           int64
	}{
		{"adjust above", adjustMutation, "delta", "changes.1.delta", 3_000_000_000},
		{"adjust below", adjustMutation, "delta", "changes.1.delta", -2_147_483_649},
		{"set above", setMutation, "quantity", "quantities.1.quantity", 2_147_483_648},
	}
	for _, tt := range tests {
		list := "changes"
		if tt.field == "quantity" {
			list = "quantities"
		}
		entry := func(item string, v int64) map[string]any {
			return map[string]any{"inventoryItemId": item, "locationId": s.loc, tt.field: v, "changeFromQuantity": nil}
		}
		r := do(t, s.srv, tt.mutation, map[string]any{"key": tt.name, "input": map[string]any{
			"name": "available", "reason": "correction",
			list: []any{entry(s.items[0], 1), entry(s.items[1], tt.value)},
		}})
		if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, tt.wantPath) ||
			!strings.Contains(r.Errors[0].Message, "Could not coerce value") {
			t.Fatalf("%s: errors %+v, want one coercion error at %s", tt.name, r.Errors, tt.wantPath)
		}
		if string(r.Data) != "" && string(r.Data) != "null" {
			t.Errorf("%s: data %s alongside a coercion error", tt.name, r.Data)
		}
		for _, item := range s.items {
			if got := s.srv.Available(item, s.loc); got != 10 {
				t.Errorf("%s: item shows %d after a refused call, want 10", tt.name, got)
			}
		}
	}
	// The bounds themselves are Ints: Shopify answers them with its own user errors.
	r := do(t, s.srv, adjustMutation, map[string]any{"key": "max", "input": map[string]any{
		"name": "available", "reason": "correction",
		"changes": []any{map[string]any{"inventoryItemId": s.items[0], "locationId": s.loc, "delta": int64(2_147_483_647), "changeFromQuantity": nil}},
	}})
	if len(r.Errors) != 0 {
		t.Fatalf("2^31-1 refused as a value: %+v", r.Errors)
	}
	if p := setPayload(t, r); len(p.UserErrors) != 1 || p.UserErrors[0].Code != "INVALID_QUANTITY_TOO_HIGH" {
		t.Fatalf("2^31-1: %+v", p)
	}
}
