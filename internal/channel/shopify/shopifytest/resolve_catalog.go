package shopifytest

import (
	"sort"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// Values the catalog resolvers pass around: store indexes, typed so interface fields (Node)
// know what they hold.
type (
	variantRef  int
	itemRef     int
	productRef  int
	locationRef int
	levelRef    struct{ item, loc int }
	quantityVal struct {
		name string
		qty  int64
	}
)

func (variantRef) graphqlType() string  { return "ProductVariant" }
func (itemRef) graphqlType() string     { return "InventoryItem" }
func (productRef) graphqlType() string  { return "Product" }
func (locationRef) graphqlType() string { return "Location" }
func (levelRef) graphqlType() string    { return "InventoryLevel" }
func (v variantRef) globalID() string   { return variantGID(int(v)) }
func (i itemRef) globalID() string      { return itemGID(int(i)) }
func (p productRef) globalID() string   { return productGID(int(p)) }
func (l locationRef) globalID() string  { return locationGID(int(l)) }
func (l levelRef) globalID() string     { return levelGID(l.item, l.loc) }

// quantityNames are the inventory states Shopify knows. The fake keeps only available; it has
// no commitments or reservations, so on_hand equals available and the others are 0.
var quantityNames = map[string]bool{
	"available": true, "on_hand": true, "committed": true, "reserved": true, "incoming": true,
	"damaged": true, "quality_control": true, "safety_stock": true,
}

func legacyID(base int64, index int) unsignedInt64 { return unsignedInt64(base + int64(index) + 1) }

func init() {
	register("QueryRoot", map[string]resolver{
		"productVariants": resolveProductVariants,
		"inventoryItems":  resolveInventoryItems,
		"locations":       resolveLocations,
		"productVariant": func(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
			return x.nodeByID(args["id"], "ProductVariant"), nil
		},
		"inventoryItem": func(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
			return x.nodeByID(args["id"], "InventoryItem"), nil
		},
		"location": func(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
			return x.nodeByID(args["id"], "Location"), nil
		},
		"product": func(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
			return x.nodeByID(args["id"], "Product"), nil
		},
		"node": func(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
			return x.nodeByID(args["id"], ""), nil
		},
	})

	register("ProductVariant", map[string]resolver{
		"id": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(variantRef).globalID(), nil
		},
		"legacyResourceId": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return legacyID(variantBase, int(p.(variantRef))), nil
		},
		"sku": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return x.h.store.sku[p.(variantRef)], nil
		},
		"title": func(*execution, any, *ast.Field, map[string]any) (any, error) { return "Default Title", nil },
		"displayName": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return "Product " + x.h.store.sku[p.(variantRef)], nil
		},
		"inventoryItem": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return itemRef(p.(variantRef)), nil
		},
		"requiresComponents": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return x.h.store.requiresComponents[int(p.(variantRef))], nil
		},
		"product": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return productRef(x.h.store.product[p.(variantRef)]), nil
		},
		"inventoryQuantity": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			var total int64
			for _, l := range x.h.store.levels {
				total += l.get(int(p.(variantRef)))
			}
			return total, nil
		},
	})

	register("Product", map[string]resolver{
		"id": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(productRef).globalID(), nil
		},
		"legacyResourceId": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return legacyID(productBase, int(p.(productRef))), nil
		},
		"title": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return "Product " + strconv.Itoa(int(p.(productRef))+1), nil
		},
	})

	register("InventoryItem", map[string]resolver{
		"id": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(itemRef).globalID(), nil
		},
		"legacyResourceId": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return legacyID(itemBase, int(p.(itemRef))), nil
		},
		"sku": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return x.h.store.sku[p.(itemRef)], nil
		},
		"tracked": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return !x.h.store.untracked[int(p.(itemRef))], nil
		},
		"duplicateSkuCount": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return int64(len(x.h.store.variantsWithSKU(x.h.store.sku[p.(itemRef)])) - 1), nil
		},
		"variant": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return variantRef(p.(itemRef)), nil
		},
		"inventoryLevel": func(x *execution, p any, _ *ast.Field, args map[string]any) (any, error) {
			id, _ := args["locationId"].(string)
			loc, ok := parseGID(id, "Location", locationBase)
			l := x.h.store.level(loc)
			inactive, _ := args["includeInactive"].(bool)
			if !ok || l == nil || !l.visible(int(p.(itemRef)), inactive) {
				return nil, nil
			}
			return levelRef{item: int(p.(itemRef)), loc: loc}, nil
		},
		"inventoryLevels": func(x *execution, p any, _ *ast.Field, args map[string]any) (any, error) {
			pg, err := x.pageFromArgs(args, locationBase)
			if err != nil {
				return nil, err
			}
			item := int(p.(itemRef))
			inactive, _ := args["includeInactive"].(bool)
			var stocked []int32
			for loc, l := range x.h.store.levels {
				if l.visible(item, inactive) {
					stocked = append(stocked, int32(loc))
				}
			}
			return pageOfIndexes(stocked, pg, locationBase, func(loc int) any { return levelRef{item: item, loc: loc} }), nil
		},
	})

	register("InventoryLevel", map[string]resolver{
		"id": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(levelRef).globalID(), nil
		},
		"isActive": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			l := p.(levelRef)
			return x.h.store.levels[l.loc].isActive(l.item), nil
		},
		"canDeactivate": func(*execution, any, *ast.Field, map[string]any) (any, error) { return false, nil },
		"item": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return itemRef(p.(levelRef).item), nil
		},
		"location": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return locationRef(p.(levelRef).loc), nil
		},
		"quantities": func(x *execution, p any, _ *ast.Field, args map[string]any) (any, error) {
			l := p.(levelRef)
			names, _ := args["names"].([]any)
			out := make([]any, 0, len(names))
			for _, n := range names {
				name, _ := n.(string)
				if !quantityNames[name] {
					return nil, errorf("BAD_REQUEST", "The quantity name %q is invalid.", name)
				}
				q := quantityVal{name: name}
				if name == "available" || name == "on_hand" {
					q.qty = x.h.store.levels[l.loc].get(l.item)
				}
				out = append(out, q)
			}
			return out, nil
		},
	})

	register("InventoryQuantity", map[string]resolver{
		"name": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(quantityVal).name, nil
		},
		"quantity": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(quantityVal).qty, nil
		},
		"updatedAt": func(*execution, any, *ast.Field, map[string]any) (any, error) { return nil, nil },
	})

	register("Location", map[string]resolver{
		"id": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(locationRef).globalID(), nil
		},
		"legacyResourceId": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return legacyID(locationBase, int(p.(locationRef))), nil
		},
		"name": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return x.h.store.locations[p.(locationRef)], nil
		},
		"isActive": func(*execution, any, *ast.Field, map[string]any) (any, error) { return true, nil },
		"inventoryLevel": func(x *execution, p any, _ *ast.Field, args map[string]any) (any, error) {
			id, _ := args["inventoryItemId"].(string)
			item, ok := parseGID(id, "InventoryItem", itemBase)
			loc := int(p.(locationRef))
			inactive, _ := args["includeInactive"].(bool)
			if !ok || !x.h.store.validItem(item) || !x.h.store.levels[loc].visible(item, inactive) {
				return nil, nil
			}
			return levelRef{item: item, loc: loc}, nil
		},
	})
}

// nodeByID resolves a global id to the catalog object or bulk operation it names, or nil.
// want restricts the resource type; empty accepts any (the node field).
func (x *execution) nodeByID(v any, want string) any {
	id, _ := v.(string)
	resource := gidResource(id)
	if want != "" && resource != want {
		return nil
	}
	s := x.h.store
	switch resource {
	case "ProductVariant":
		if i, ok := parseGID(id, resource, variantBase); ok && s.validItem(i) {
			return variantRef(i)
		}
	case "InventoryItem":
		if i, ok := parseGID(id, resource, itemBase); ok && s.validItem(i) {
			return itemRef(i)
		}
	case "Product":
		if i, ok := parseGID(id, resource, productBase); ok && i < s.products {
			return productRef(i)
		}
	case "Location":
		if i, ok := parseGID(id, resource, locationBase); ok && s.level(i) != nil {
			return locationRef(i)
		}
	case "BulkOperation":
		if op := x.h.bulk.snapshot(id); op != nil {
			return op
		}
	}
	return nil
}

func resolveProductVariants(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
	return x.itemPage(args, variantBase, func(i int) any { return variantRef(i) })
}

func resolveInventoryItems(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
	return x.itemPage(args, itemBase, func(i int) any { return itemRef(i) })
}

// itemPage serves productVariants and inventoryItems, which share the store's index.
func (x *execution) itemPage(args map[string]any, base int64, node func(int) any) (any, error) {
	pg, err := x.pageFromArgs(args, base)
	if err != nil {
		return nil, err
	}
	q, _ := args["query"].(string)
	skus, all, ok := parseSKUQuery(q)
	if !ok {
		x.h.recordUnsupported("search query " + strconv.Quote(q))
		return nil, errorf("", "shopifytest serves only `sku:X OR sku:Y` search queries, not %q", q)
	}
	if all {
		return pageOfRange(x.h.store.itemCount(), pg, base, node), nil
	}
	seen := map[int32]bool{}
	var matches []int32
	for _, sku := range skus {
		for _, i := range x.h.store.variantsWithSKU(sku) {
			if !seen[i] {
				seen[i] = true
				matches = append(matches, i)
			}
		}
	}
	sort.Slice(matches, func(a, b int) bool { return matches[a] < matches[b] })
	return pageOfIndexes(matches, pg, base, node), nil
}

func resolveLocations(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
	pg, err := x.pageFromArgs(args, locationBase)
	if err != nil {
		return nil, err
	}
	if q, _ := args["query"].(string); q != "" {
		x.h.recordUnsupported("locations query")
		return nil, errorf("", "shopifytest does not serve a locations search query")
	}
	return pageOfRange(len(x.h.store.locations), pg, locationBase, func(i int) any { return locationRef(i) }), nil
}
