package shopifytest

import "testing"

func TestTransientUserErrorsApplyNothing(t *testing.T) {
	cases := []struct {
		code string
		// wantAgain is the code the same key gets next: a failed request's key is refused,
		// a concurrent request leaves it free.
		wantAgain string
	}{
		{AdjustQuantitiesFailed, "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"},
		{ServiceUnavailable, "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"},
		{ConcurrentRequest, ""},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			s := newShop(t, 1, Options{})
			s.srv.AnswerTransient(1, tc.code)
			first := setPayload(t, adjustOne(t, s, "key-1", s.items[0], 5))
			if len(first.UserErrors) != 1 || first.UserErrors[0].Code != tc.code || first.UserErrors[0].Message == "" || first.InventoryAdjustmentGroup != nil {
				t.Fatalf("answer %+v, want %s alone", first, tc.code)
			}
			if got := s.srv.Available(s.items[0], s.loc); got != 10 {
				t.Fatalf("available %d, want 10: nothing applied", got)
			}
			again := setPayload(t, adjustOne(t, s, "key-1", s.items[0], 5))
			var gotCode string
			if len(again.UserErrors) > 0 {
				gotCode = again.UserErrors[0].Code
			}
			if gotCode != tc.wantAgain {
				t.Fatalf("same key again: %+v, want code %q", again, tc.wantAgain)
			}
			s.srv.AssertNoErrors(t)
		})
	}
}

// inventorySetQuantities documents no ADJUST_QUANTITIES_FAILED: the fault waits for a
// mutation that can answer it.
func TestATransientCodeOnlyAnswersTheMutationsThatHaveIt(t *testing.T) {
	s := newShop(t, 1, Options{})
	s.srv.AnswerTransient(1, AdjustQuantitiesFailed)
	set := setPayload(t, do(t, s.srv, setMutation, map[string]any{"key": "k-set", "input": setInput(quantity(s.items[0], s.loc, 4, nil))}))
	if len(set.UserErrors) != 0 || s.srv.Available(s.items[0], s.loc) != 4 {
		t.Fatalf("inventorySetQuantities: %+v", set)
	}
	adjust := setPayload(t, adjustOne(t, s, "k-adjust", s.items[0], 1))
	if len(adjust.UserErrors) != 1 || adjust.UserErrors[0].Code != AdjustQuantitiesFailed {
		t.Fatalf("inventoryAdjustQuantities: %+v", adjust)
	}
	s.srv.AssertNoErrors(t)
}

// An item the API may not adjust (a parent bundle's) is refused for its entry, in both
// mutations, and the call applies nothing.
func TestANonMutableItemIsRefusedForItsEntry(t *testing.T) {
	s := newShop(t, 2, Options{})
	s.srv.SetNonMutable(s.items[1])
	set := setPayload(t, do(t, s.srv, setMutation, map[string]any{"key": "k-set", "input": setInput(
		quantity(s.items[0], s.loc, 4, nil), quantity(s.items[1], s.loc, 4, nil))}))
	if len(set.UserErrors) != 1 || set.UserErrors[0].Code != "NON_MUTABLE_INVENTORY_ITEM" || set.UserErrors[0].Field[2] != "1" {
		t.Fatalf("inventorySetQuantities: %+v", set.UserErrors)
	}
	if adjust := setPayload(t, adjustOne(t, s, "k-adjust", s.items[1], 1)); len(adjust.UserErrors) != 1 || adjust.UserErrors[0].Code != "NON_MUTABLE_INVENTORY_ITEM" {
		t.Fatalf("inventoryAdjustQuantities: %+v", adjust.UserErrors)
	}
	if s.srv.Available(s.items[0], s.loc) != 10 || s.srv.Available(s.items[1], s.loc) != 10 {
		t.Fatal("a refused call applied something")
	}
	s.srv.AssertNoErrors(t)
}
