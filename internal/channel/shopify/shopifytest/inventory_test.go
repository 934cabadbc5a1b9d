package shopifytest

import (
	"fmt"
	"reflect"
	"testing"
)

const setMutation = `mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { changes(quantityNames: ["available"]) { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}`

const adjustMutation = `mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { changes(quantityNames: ["available"]) { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}`

type mutationPayload struct {
	InventoryAdjustmentGroup *struct {
		Changes []struct {
			Name                string `json:"name"`
			Delta               int64  `json:"delta"`
			QuantityAfterChange int64  `json:"quantityAfterChange"`
			Item                struct{ ID string }
			Location            struct{ ID string }
		} `json:"changes"`
	} `json:"inventoryAdjustmentGroup"`
	UserErrors []struct {
		Field   []string `json:"field"`
		Message string   `json:"message"`
		Code    string   `json:"code"`
	} `json:"userErrors"`
}

func setPayload(t *testing.T, r response) mutationPayload {
	t.Helper()
	var out struct {
		Set    *mutationPayload `json:"inventorySetQuantities"`
		Adjust *mutationPayload `json:"inventoryAdjustQuantities"`
	}
	decodeData(t, r, &out)
	if out.Set != nil {
		return *out.Set
	}
	return *out.Adjust
}

type shop struct {
	srv   *Server
	clock *fakeClock
	loc   string
	items []string
}

// newShop seeds n items stocked at one location with 10 units each.
func newShop(t *testing.T, n int, opts Options) shop {
	t.Helper()
	srv, clock := newTestServer(t, opts)
	s := shop{srv: srv, clock: clock, loc: srv.AddLocation("Berlin")}
	for i := range n {
		_, item := srv.AddVariant(fmt.Sprintf("SKU-%d", i))
		srv.SetAvailable(item, s.loc, 10)
		s.items = append(s.items, item)
	}
	return s
}

func setInput(entries ...map[string]any) map[string]any {
	qs := make([]any, len(entries))
	for i, e := range entries {
		qs[i] = e
	}
	return map[string]any{"name": "available", "reason": "correction", "quantities": qs}
}

func quantity(item, loc string, q int64, cas any) map[string]any {
	return map[string]any{"inventoryItemId": item, "locationId": loc, "quantity": q, "changeFromQuantity": cas}
}

func TestSetQuantitiesIsAllOrNothing(t *testing.T) {
	cases := []struct {
		name      string
		entries   func(s shop) []map[string]any
		stale     int // index of an item MakeStale is called on, -1 for none
		wantField [][]string
		wantCode  string
		want      []int64 // quantities afterwards
	}{
		{
			name: "all match",
			entries: func(s shop) []map[string]any {
				return []map[string]any{quantity(s.items[0], s.loc, 4, 10), quantity(s.items[1], s.loc, 6, nil)}
			},
			stale: -1, want: []int64{4, 6},
		},
		{
			name: "second stale",
			entries: func(s shop) []map[string]any {
				return []map[string]any{quantity(s.items[0], s.loc, 4, 10), quantity(s.items[1], s.loc, 6, 9)}
			},
			stale: -1, wantField: [][]string{{"input", "quantities", "1", "changeFromQuantity"}},
			wantCode: "CHANGE_FROM_QUANTITY_STALE", want: []int64{10, 10},
		},
		{
			name: "sold meanwhile",
			entries: func(s shop) []map[string]any {
				return []map[string]any{quantity(s.items[0], s.loc, 4, 10), quantity(s.items[1], s.loc, 6, 10)}
			},
			stale: 0, wantField: [][]string{{"input", "quantities", "0", "changeFromQuantity"}},
			wantCode: "CHANGE_FROM_QUANTITY_STALE", want: []int64{9, 10},
		},
		{
			name: "changeFromQuantity omitted",
			entries: func(s shop) []map[string]any {
				e := quantity(s.items[0], s.loc, 4, nil)
				delete(e, "changeFromQuantity")
				return []map[string]any{e, quantity(s.items[1], s.loc, 6, nil)}
			},
			stale: -1, wantField: [][]string{{"input", "quantities", "0", "changeFromQuantity"}},
			wantCode: "COMPARE_QUANTITY_REQUIRED", want: []int64{10, 10},
		},
		{
			name: "unknown item",
			entries: func(s shop) []map[string]any {
				return []map[string]any{quantity(s.items[0], s.loc, 4, nil), quantity("gid://shopify/InventoryItem/1", s.loc, 6, nil)}
			},
			stale: -1, wantField: [][]string{{"input", "quantities", "1", "inventoryItemId"}},
			wantCode: "INVALID_INVENTORY_ITEM", want: []int64{10, 10},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newShop(t, 2, Options{})
			if tc.stale >= 0 {
				s.srv.MakeStale(s.items[tc.stale])
			}
			p := setPayload(t, do(t, s.srv, setMutation, map[string]any{"key": "k-" + tc.name, "input": setInput(tc.entries(s)...)}))
			var fields [][]string
			for _, e := range p.UserErrors {
				fields = append(fields, e.Field)
				if e.Code != tc.wantCode {
					t.Errorf("code %q, want %q", e.Code, tc.wantCode)
				}
			}
			if !reflect.DeepEqual(fields, tc.wantField) {
				t.Fatalf("userErrors %+v, want fields %v", p.UserErrors, tc.wantField)
			}
			if (p.InventoryAdjustmentGroup == nil) != (len(tc.wantField) > 0) {
				t.Fatalf("inventoryAdjustmentGroup %+v with userErrors %+v", p.InventoryAdjustmentGroup, p.UserErrors)
			}
			for i, want := range tc.want {
				if got := s.srv.Available(s.items[i], s.loc); got != want {
					t.Errorf("item %d available %d, want %d", i, got, want)
				}
			}
			s.srv.AssertNoErrors(t)
		})
	}
}

func TestSetQuantitiesReportsChanges(t *testing.T) {
	s := newShop(t, 1, Options{})
	p := setPayload(t, do(t, s.srv, setMutation, map[string]any{"key": "k", "input": setInput(quantity(s.items[0], s.loc, 3, 10))}))
	g := p.InventoryAdjustmentGroup
	if g == nil || len(g.Changes) != 1 {
		t.Fatalf("payload %+v", p)
	}
	c := g.Changes[0]
	if c.Name != "available" || c.Delta != -7 || c.QuantityAfterChange != 3 || c.Item.ID != s.items[0] || c.Location.ID != s.loc {
		t.Fatalf("change %+v", c)
	}
	if st := s.srv.Stats(); st.ItemsWritten != 1 || st.Calls["inventorySetQuantities"] != 1 || st.PointsSpent != 10 {
		t.Fatalf("stats %+v", st)
	}
}

func TestIdempotencyKey(t *testing.T) {
	s := newShop(t, 1, Options{})
	adjust := func(key string, delta int) response {
		return do(t, s.srv, adjustMutation, map[string]any{"key": key, "input": map[string]any{
			"name": "available", "reason": "correction",
			"changes": []any{map[string]any{"inventoryItemId": s.items[0], "locationId": s.loc, "delta": delta, "changeFromQuantity": nil}},
		}})
	}
	first := setPayload(t, adjust("key-1", 5))
	again := setPayload(t, adjust("key-1", 5))
	if !reflect.DeepEqual(first, again) {
		t.Fatalf("replay differs: %+v vs %+v", first, again)
	}
	if got := s.srv.Available(s.items[0], s.loc); got != 15 {
		t.Fatalf("available %d after a replayed +5, want 15", got)
	}
	mismatch := setPayload(t, adjust("key-1", 6))
	if len(mismatch.UserErrors) != 1 || mismatch.UserErrors[0].Code != "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" {
		t.Fatalf("reused key with other input: %+v", mismatch)
	}
	if st := s.srv.Stats(); st.IdempotentReplays != 2 || st.ItemsWritten != 1 {
		t.Fatalf("stats %+v", st)
	}

	noKey := do(t, s.srv, `mutation($input: InventoryAdjustQuantitiesInput!) {
		inventoryAdjustQuantities(input: $input) { userErrors { code } } }`, map[string]any{"input": map[string]any{
		"name": "available", "reason": "correction",
		"changes": []any{map[string]any{"inventoryItemId": s.items[0], "locationId": s.loc, "delta": 1, "changeFromQuantity": nil}},
	}})
	if len(noKey.Errors) != 1 || s.srv.Available(s.items[0], s.loc) != 15 {
		t.Fatalf("mutation without @idempotent: %+v", noKey)
	}
	s.srv.AssertNoErrors(t)
}

func TestAtMost250ItemsPerCall(t *testing.T) {
	s := newShop(t, 1, Options{})
	entries := make([]map[string]any, 251)
	for i := range entries {
		entries[i] = quantity(s.items[0], s.loc, 1, nil)
	}
	r := do(t, s.srv, setMutation, map[string]any{"key": "k", "input": setInput(entries...)})
	if r.errorCode() != "MAX_INPUT_SIZE_EXCEEDED" || s.srv.Available(s.items[0], s.loc) != 10 {
		t.Fatalf("251 entries: %+v", r.Errors)
	}
}
