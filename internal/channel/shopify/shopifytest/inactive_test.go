package shopifytest

import "testing"

const levelQuery = `query($item: ID!, $loc: ID!, $inactive: Boolean) {
  inventoryItem(id: $item) {
    inventoryLevel(locationId: $loc, includeInactive: $inactive) { isActive quantities(names: ["available"]) { quantity } }
    inventoryLevels(first: 5, includeInactive: $inactive) { nodes { isActive } }
  }
  location(id: $loc) { inventoryLevel(inventoryItemId: $item, includeInactive: $inactive) { isActive } }
}`

type levelView struct {
	Item struct {
		Level *struct {
			IsActive   bool
			Quantities []struct{ Quantity int64 }
		} `json:"inventoryLevel"`
		Levels struct {
			Nodes []struct{ IsActive bool }
		} `json:"inventoryLevels"`
	} `json:"inventoryItem"`
	Location struct {
		Level *struct{ IsActive bool } `json:"inventoryLevel"`
	} `json:"location"`
}

func readLevel(t *testing.T, s shop, inactive any) levelView {
	t.Helper()
	var v levelView
	decodeData(t, do(t, s.srv, levelQuery, map[string]any{"item": s.items[0], "loc": s.loc, "inactive": inactive}), &v)
	return v
}

// Since 2026-04 deactivating a level keeps its quantities; queries return it only with
// includeInactive: true, with isActive false; it takes writes like an active level; and
// inventoryActivate activates it again with the quantity it holds.
func TestAnInactiveLevelKeepsItsQuantitiesAndIsReadOnlyWhenAsked(t *testing.T) {
	s := newShop(t, 1, Options{})
	if v := readLevel(t, s, nil); v.Item.Level == nil || !v.Item.Level.IsActive {
		t.Fatalf("active level: %+v", v)
	}
	s.srv.DeactivateLevel(s.items[0], s.loc)
	for _, hidden := range []any{nil, false} {
		if v := readLevel(t, s, hidden); v.Item.Level != nil || len(v.Item.Levels.Nodes) != 0 || v.Location.Level != nil {
			t.Fatalf("includeInactive %v: %+v, want no level", hidden, v)
		}
	}
	v := readLevel(t, s, true)
	if v.Item.Level == nil || v.Item.Level.IsActive || v.Item.Level.Quantities[0].Quantity != 10 ||
		len(v.Item.Levels.Nodes) != 1 || v.Item.Levels.Nodes[0].IsActive || v.Location.Level == nil || v.Location.Level.IsActive {
		t.Fatalf("includeInactive true: %+v, want the inactive level with 10", v)
	}
	if p := setPayload(t, adjustOne(t, s, "k", s.items[0], -3)); len(p.UserErrors) != 0 {
		t.Fatalf("write to an inactive level: %+v", p.UserErrors)
	}
	if s.srv.Available(s.items[0], s.loc) != 7 || s.srv.Active(s.items[0], s.loc) {
		t.Fatalf("after the write: available %d, active %v", s.srv.Available(s.items[0], s.loc), s.srv.Active(s.items[0], s.loc))
	}
	activate := do(t, s.srv, `mutation($item: ID!, $loc: ID!) {
  inventoryActivate(inventoryItemId: $item, locationId: $loc) @idempotent(key: "a-1") { userErrors { message } } }`,
		map[string]any{"item": s.items[0], "loc": s.loc})
	if len(activate.Errors) != 0 || !s.srv.Active(s.items[0], s.loc) || s.srv.Available(s.items[0], s.loc) != 7 {
		t.Fatalf("activated: %+v, active %v, available %d", activate.Errors, s.srv.Active(s.items[0], s.loc), s.srv.Available(s.items[0], s.loc))
	}
	s.srv.AssertNoErrors(t)
}
