package shopifytest

import "github.com/vektah/gqlparser/v2/ast"

// activatePayload is InventoryActivatePayload.
type activatePayload struct {
	level      *levelRef
	userErrors []any
}

func init() {
	register("Mutation", map[string]resolver{"inventoryActivate": resolveInventoryActivate})
	register("InventoryActivatePayload", map[string]resolver{
		"inventoryLevel": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if l := p.(*activatePayload).level; l != nil {
				return *l, nil
			}
			return nil, nil
		},
		"userErrors": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if errs := p.(*activatePayload).userErrors; errs != nil {
				return errs, nil
			}
			return []any{}, nil
		},
	})
}

// resolveInventoryActivate stocks an item at a location, creating its inventory level, or
// activating a deactivated one, with the available (or onHand) quantity given; without one,
// since 2026-04, the level keeps the quantity it held or that was written while the item was
// not stocked there (0 if none). An item already active keeps its level. Since 2026-04 it
// needs @idempotent(key:).
func resolveInventoryActivate(x *execution, _ any, f *ast.Field, args map[string]any) (any, error) {
	keyError := func(ue userError) any {
		ue.code = "" // UserError has no code: only the message tells what happened
		return &activatePayload{userErrors: []any{ue}}
	}
	return x.runIdempotent(f, args, func() any { return x.activate(args) }, keyError)
}

func (x *execution) activate(args map[string]any) *activatePayload {
	itemID, _ := args["inventoryItemId"].(string)
	item, ok := parseGID(itemID, "InventoryItem", itemBase)
	if !ok || !x.h.store.validItem(item) {
		return &activatePayload{userErrors: []any{userError{field: []string{"inventoryItemId"}, message: "Inventory item does not exist"}}}
	}
	locID, _ := args["locationId"].(string)
	loc, ok := parseGID(locID, "Location", locationBase)
	if !ok || x.h.store.level(loc) == nil {
		return &activatePayload{userErrors: []any{userError{field: []string{"locationId"}, message: "Location does not exist"}}}
	}
	levels := x.h.store.levels[loc]
	if !levels.isActive(item) {
		q, given := asInt(args["available"])
		if !given {
			q, given = asInt(args["onHand"])
		}
		if !given {
			q = levels.get(item)
		}
		levels.set(item, q)
		levels.setActive(item, true)
		x.itemsWritten++
	}
	return &activatePayload{level: &levelRef{item: item, loc: loc}}
}
