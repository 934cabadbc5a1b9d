package relay

import (
	"math"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/internal/channel"
)

func TestEventValidation(t *testing.T) {
	const limit = channel.MaxQuantity
	incr := func(v int64) Event {
		return Event{ID: "e", Trigger: TriggerReceiveReceipt, SKU: testSKU, FulfillmentChannel: testWarehouse, Increment: ptr(v)}
	}
	levels := func(before, after int64) Event {
		return Event{ID: "e", Trigger: TriggerAPIBulkUpdate, SKU: testSKU, FulfillmentChannel: testWarehouse, QuantityBefore: ptr(before), QuantityAfter: ptr(after)}
	}
	withIncrement := func(ev Event, v int64) Event {
		ev.Increment = ptr(v)
		return ev
	}
	tests := []struct {
		name  string
		event Event
		// wantErr is a part of the error, empty when the event is valid.
		wantErr string
	}{
		{"increment at the bound", incr(limit), ""},
		{"increment at the negative bound", incr(-limit), ""},
		{"increment above the bound", incr(limit + 1), "increment 1000000001 is out of range"},
		{"increment of three billion", incr(3_000_000_000), "increment 3000000000 is out of range"},
		{"increment near the int64 limit", incr(math.MaxInt64), "out of range"},
		{"increment at the int64 minimum", incr(math.MinInt64), "out of range"},
		{"levels at the bounds", levels(0, limit), ""},
		{"levels whose difference is the bound", levels(-limit/2, limit/2), ""},
		{"quantityBefore out of range", levels(-limit-1, 0), "quantityBefore"},
		{"quantityAfter out of range", levels(0, math.MaxInt64), "quantityAfter"},
		{"levels whose difference leaves the range", levels(-limit, limit), "quantityAfter - quantityBefore is out of range"},
		{"levels that overflow int64", levels(math.MinInt64, math.MaxInt64), "out of range"},
		{"a SKU that is not UTF-8", Event{ID: "e", Trigger: TriggerReceiveReceipt, SKU: "\xae", FulfillmentChannel: testWarehouse, Increment: ptr(1)}, "UTF-8"},
		{"increment agreeing with the levels", withIncrement(levels(40, 98), 58), ""},
		{"increment disagreeing with the levels", withIncrement(levels(40, 98), 57), "disagrees"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.event.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want valid", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			case err == nil:
				if d := tt.event.Delta(); channel.CheckQuantity("delta", d) != nil {
					t.Fatalf("a valid event has delta %d", d)
				}
			}
		})
	}
}
