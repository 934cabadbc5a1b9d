package policy

import "testing"

// TestDecideCoversTheTriggerTable checks every cell of the trigger table in docs/design.md.
func TestDecideCoversTheTriggerTable(t *testing.T) {
	const (
		no   = NoPush
		inc  = Incremental
		full = Absolute
	)
	table := map[Trigger][3]Push{ // DoNotSynchronize, RealTimeAdjustment, SynchronizeWithFulfillmentChannel
		FulfillmentChannelRecurringJob: {no, inc, full},
		FulfillmentChannelManualSync:   {no, inc, full},
		SalesChannelManualSync:         {full, full, full},
		ImportInventoryLevel:           {no, inc, no},
		AdjustInventoryManually:        {no, inc, no},
		ReceiveReceipt:                 {no, inc, no},
		AllocateOrderSameChannel:       {no, no, no},
		AllocateOrderOtherChannel:      {no, inc, no},
		CancelShipment:                 {no, inc, no},
		APIBulkUpdate:                  {no, inc, full},
		APISingleRowUpdate:             {no, inc, no},
	}
	if len(table) != len(Triggers) {
		t.Fatalf("table has %d triggers, Triggers lists %d", len(table), len(Triggers))
	}
	modes := [3]Mode{DoNotSynchronize, RealTimeAdjustment, SynchronizeWithFulfillmentChannel}
	for _, trigger := range Triggers {
		want, ok := table[trigger]
		if !ok {
			t.Fatalf("trigger %s missing from the table", trigger)
		}
		for i, mode := range modes {
			if got := Decide(mode, trigger); got != want[i] {
				t.Errorf("Decide(%s, %s) = %q, want %q", mode, trigger, got, want[i])
			}
		}
	}
}

func TestEffectiveMode(t *testing.T) {
	tests := []struct {
		mode           Mode
		duplicates     DuplicateSKUs
		want           Mode
		wantOverridden bool
	}{
		{DoNotSynchronize, Skip, DoNotSynchronize, false},
		{RealTimeAdjustment, Skip, RealTimeAdjustment, false},
		{SynchronizeWithFulfillmentChannel, Skip, SynchronizeWithFulfillmentChannel, false},
		{DoNotSynchronize, UpdateAll, SynchronizeWithFulfillmentChannel, true},
		{RealTimeAdjustment, UpdateAll, SynchronizeWithFulfillmentChannel, true},
		{SynchronizeWithFulfillmentChannel, UpdateAll, SynchronizeWithFulfillmentChannel, false},
		{DoNotSynchronize, "", DoNotSynchronize, false},
	}
	for _, tt := range tests {
		got, overridden := EffectiveMode(tt.mode, tt.duplicates)
		if got != tt.want || overridden != tt.wantOverridden {
			t.Errorf("EffectiveMode(%s, %s) = %s, %v; want %s, %v", tt.mode, tt.duplicates, got, overridden, tt.want, tt.wantOverridden)
		}
	}
}

func TestDuplicateSKUsSupported(t *testing.T) {
	for platform, want := range map[string]bool{"Shopify": true, "Webhook": false, "": false} {
		if got := DuplicateSKUsSupported(platform); got != want {
			t.Errorf("DuplicateSKUsSupported(%q) = %v, want %v", platform, got, want)
		}
	}
}
