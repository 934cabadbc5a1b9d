package shopifytest

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// maxInputSize is the most entries Shopify accepts in one input array.
const maxInputSize = 250

// Shopify's bounds on quantities.
const (
	maxSetQuantity    = 1_000_000_000
	maxAdjustQuantity = 2_000_000_000
)

// inventoryReasons are the reasons Shopify accepts for inventory changes.
var inventoryReasons = map[string]bool{
	"correction": true, "cycle_count_available": true, "damaged": true, "movement_canceled": true,
	"movement_created": true, "movement_received": true, "movement_updated": true, "other": true,
	"promotion": true, "quality_control": true, "received": true, "reservation_created": true,
	"reservation_deleted": true, "reservation_updated": true, "restock": true, "safety_stock": true,
	"shrinkage": true,
}

// inventoryPayload is InventorySetQuantitiesPayload or InventoryAdjustQuantitiesPayload.
type inventoryPayload struct {
	group      *adjustmentGroup
	userErrors []any
}

// userError is any of Shopify's typed userErrors (field, message, code).
type userError struct {
	field   []string
	message string
	code    string
}

type adjustmentGroup struct {
	index     int
	reason    string
	reference string
	createdAt any
	changes   []inventoryChange
}

type inventoryChange struct {
	name      string
	delta     int64
	after     int64
	item, loc int
}

func (g *adjustmentGroup) graphqlType() string { return "InventoryAdjustmentGroup" }
func (g *adjustmentGroup) globalID() string {
	return gid("InventoryAdjustmentGroup", adjustmentBase, g.index)
}

func init() {
	register("Mutation", map[string]resolver{
		"inventorySetQuantities":    resolveSetQuantities,
		"inventoryAdjustQuantities": resolveAdjustQuantities,
	})
	payload := map[string]resolver{
		"inventoryAdjustmentGroup": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if g := p.(*inventoryPayload).group; g != nil {
				return g, nil
			}
			return nil, nil
		},
		"userErrors": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if errs := p.(*inventoryPayload).userErrors; errs != nil {
				return errs, nil
			}
			return []any{}, nil
		},
	}
	register("InventorySetQuantitiesPayload", payload)
	register("InventoryAdjustQuantitiesPayload", payload)
	userErrorFields := map[string]resolver{
		"field": func(x *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if f := p.(userError).field; f != nil && !x.h.omitUserErrorFields() {
				return f, nil
			}
			return nil, nil
		},
		"message": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(userError).message, nil
		},
		"code": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if c := p.(userError).code; c != "" {
				return c, nil
			}
			return nil, nil
		},
	}
	register("InventorySetQuantitiesUserError", userErrorFields)
	register("InventoryAdjustQuantitiesUserError", userErrorFields)
	register("BulkOperationUserError", userErrorFields)
	register("BulkMutationUserError", userErrorFields)
	register("UserError", userErrorFields)

	register("InventoryAdjustmentGroup", map[string]resolver{
		"id": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(*adjustmentGroup).globalID(), nil
		},
		"reason": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(*adjustmentGroup).reason, nil
		},
		"createdAt": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(*adjustmentGroup).createdAt, nil
		},
		"referenceDocumentUri": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if r := p.(*adjustmentGroup).reference; r != "" {
				return r, nil
			}
			return nil, nil
		},
		"changes": func(_ *execution, p any, _ *ast.Field, args map[string]any) (any, error) {
			keep := func(filter any, value string) bool {
				list, ok := filter.([]any)
				if !ok {
					return true
				}
				for _, v := range list {
					if v == value {
						return true
					}
				}
				return false
			}
			var out []any
			for _, c := range p.(*adjustmentGroup).changes {
				if keep(args["inventoryItemIds"], itemGID(c.item)) && keep(args["locationIds"], locationGID(c.loc)) &&
					keep(args["quantityNames"], c.name) {
					out = append(out, c)
				}
			}
			if out == nil {
				return []any{}, nil
			}
			return out, nil
		},
	})

	register("InventoryChange", map[string]resolver{
		"name": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(inventoryChange).name, nil
		},
		"delta": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(inventoryChange).delta, nil
		},
		"quantityAfterChange": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(inventoryChange).after, nil
		},
		"item": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return itemRef(p.(inventoryChange).item), nil
		},
		"location": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return locationRef(p.(inventoryChange).loc), nil
		},
		"ledgerDocumentUri": func(*execution, any, *ast.Field, map[string]any) (any, error) { return nil, nil },
	})
}

// quantityTarget is one entry of either mutation, checked before anything is applied.
type quantityTarget struct {
	item, loc int
	// cas is the changeFromQuantity; hasCAS is false when it was passed as null.
	cas    int64
	hasCAS bool
}

// checkTarget validates one entry's item, location and changeFromQuantity. entry is the field
// path of the entry, e.g. ["input", "quantities", "3"]; requiredCode is the code for a missing
// changeFromQuantity (inventorySetQuantities has COMPARE_QUANTITY_REQUIRED, the adjust
// mutation has no code for it).
func (x *execution) checkTarget(in map[string]any, entry []string, requiredCode string) (quantityTarget, *userError) {
	var t quantityTarget
	at := func(field string) []string { return append(append([]string(nil), entry...), field) }
	itemID, _ := in["inventoryItemId"].(string)
	item, ok := parseGID(itemID, "InventoryItem", itemBase)
	if !ok || !x.h.store.validItem(item) {
		return t, &userError{field: at("inventoryItemId"), message: "The specified inventory item could not be found.", code: "INVALID_INVENTORY_ITEM"}
	}
	locID, _ := in["locationId"].(string)
	loc, ok := parseGID(locID, "Location", locationBase)
	if !ok || x.h.store.level(loc) == nil {
		return t, &userError{field: at("locationId"), message: "The specified location could not be found.", code: "INVALID_LOCATION"}
	}
	if x.h.store.nonMutable[item] {
		// Shopify does not say which field the error names; the fake names the item.
		return t, &userError{field: at("inventoryItemId"), message: "The specified inventory item is not allowed to be adjusted via API. Example: if the inventory item is a parent bundle.", code: "NON_MUTABLE_INVENTORY_ITEM"}
	}
	// Since 2026-10 a quantity can be written at any location (ITEM_NOT_STOCKED_AT_LOCATION is
	// gone); the write does not stock the item there.
	t.item, t.loc = item, loc
	cas, present := in["changeFromQuantity"]
	if !present {
		// Since 2026-04 changeFromQuantity must be passed, as null to skip the check.
		return t, &userError{field: at("changeFromQuantity"), message: "changeFromQuantity must be provided; pass null to skip the compare-and-swap check.", code: requiredCode}
	}
	if cas != nil {
		t.cas, t.hasCAS = asInt(cas)
		if x.h.takeStale(item) {
			// Someone else changed the quantity since the caller read it: sell one.
			x.h.store.levels[loc].set(item, x.h.store.levels[loc].get(item)-1)
		}
	}
	return t, nil
}

func resolveSetQuantities(x *execution, _ any, f *ast.Field, args map[string]any) (any, error) {
	input, _ := args["input"].(map[string]any)
	quantities, _ := input["quantities"].([]any)
	if len(quantities) > maxInputSize {
		return nil, inputTooLarge(len(quantities))
	}
	return x.runIdempotent(f, input, func() any { return x.setQuantities(input, quantities) }, inventoryKeyError)
}

func (x *execution) setQuantities(input map[string]any, quantities []any) *inventoryPayload {
	var errs []any
	name, _ := input["name"].(string)
	if name != "available" && name != "on_hand" {
		errs = append(errs, userError{field: []string{"input", "name"}, message: "The quantity name must be either 'available' or 'on_hand'.", code: "INVALID_NAME"})
	}
	reason, _ := input["reason"].(string)
	if !inventoryReasons[reason] {
		errs = append(errs, userError{field: []string{"input", "reason"}, message: "The specified reason is invalid.", code: "INVALID_REASON"})
	}
	if uerr := checkReference(input); uerr != nil {
		errs = append(errs, *uerr)
	}
	targets := make([]quantityTarget, len(quantities))
	values := make([]int64, len(quantities))
	seen := map[[2]int]bool{}
	for i, q := range quantities {
		in, _ := q.(map[string]any)
		entry := []string{"input", "quantities", strconv.Itoa(i)}
		t, uerr := x.checkTarget(in, entry, "COMPARE_QUANTITY_REQUIRED")
		if uerr != nil {
			errs = append(errs, *uerr)
			continue
		}
		targets[i] = t
		values[i], _ = asInt(in["quantity"])
		switch {
		case seen[[2]int{t.item, t.loc}]:
			errs = append(errs, userError{field: entry, message: "The combination of inventoryItemId and locationId must be unique.", code: "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"})
		case values[i] > maxSetQuantity:
			errs = append(errs, userError{field: append(entry, "quantity"), message: "The total quantity can't be higher than 1,000,000,000.", code: "INVALID_QUANTITY_TOO_HIGH"})
		case values[i] < -maxSetQuantity:
			errs = append(errs, userError{field: append(entry, "quantity"), message: "The total quantity can't be lower than -1,000,000,000.", code: "INVALID_QUANTITY_TOO_LOW"})
		case t.hasCAS && t.cas != x.h.store.levels[t.loc].get(t.item):
			errs = append(errs, staleError(entry))
		}
		seen[[2]int{t.item, t.loc}] = true
	}
	if len(errs) > 0 {
		return &inventoryPayload{userErrors: errs}
	}
	group := x.newGroup(input, reason)
	for i, t := range targets {
		levels := x.h.store.levels[t.loc]
		delta := values[i] - levels.get(t.item)
		levels.write(t.item, values[i])
		// Without commitments on_hand moves with available, and Shopify reports both.
		group.changes = append(group.changes,
			inventoryChange{name: "available", delta: delta, after: values[i], item: t.item, loc: t.loc},
			inventoryChange{name: "on_hand", delta: delta, after: values[i], item: t.item, loc: t.loc})
	}
	x.itemsWritten += len(targets)
	return &inventoryPayload{group: group}
}

func resolveAdjustQuantities(x *execution, _ any, f *ast.Field, args map[string]any) (any, error) {
	input, _ := args["input"].(map[string]any)
	changes, _ := input["changes"].([]any)
	if len(changes) > maxInputSize {
		return nil, inputTooLarge(len(changes))
	}
	return x.runIdempotent(f, input, func() any { return x.adjustQuantities(input, changes) }, inventoryKeyError)
}

func (x *execution) adjustQuantities(input map[string]any, changes []any) *inventoryPayload {
	var errs []any
	name, _ := input["name"].(string)
	if name != "available" && name != "on_hand" {
		// The fake keeps no other states.
		errs = append(errs, userError{field: []string{"input", "name"}, message: "The specified quantity name is invalid.", code: "INVALID_QUANTITY_NAME"})
	}
	reason, _ := input["reason"].(string)
	if !inventoryReasons[reason] {
		errs = append(errs, userError{field: []string{"input", "reason"}, message: "The specified reason is invalid.", code: "INVALID_REASON"})
	}
	if uerr := checkReference(input); uerr != nil {
		errs = append(errs, *uerr)
	}
	ledgers := map[string]bool{}
	targets := make([]quantityTarget, len(changes))
	deltas := make([]int64, len(changes))
	// pending holds quantities as earlier entries of this call leave them, so two changes to
	// one level compose.
	pending := map[[2]int]int64{}
	for i, c := range changes {
		in, _ := c.(map[string]any)
		entry := []string{"input", "changes", strconv.Itoa(i)}
		doc, _ := in["ledgerDocumentUri"].(string)
		if uerr := checkLedgerDocument(name, doc, append(entry, "ledgerDocumentUri")); uerr != nil {
			errs = append(errs, *uerr)
			continue
		}
		if ledgers[doc] = true; len(ledgers) > 1 {
			errs = append(errs, userError{field: append(entry, "ledgerDocumentUri"), message: "All changes must have the same ledger document URI.", code: "MAX_ONE_LEDGER_DOCUMENT"})
			continue
		}
		t, uerr := x.checkTarget(in, entry, "")
		if uerr != nil {
			errs = append(errs, *uerr)
			continue
		}
		targets[i] = t
		deltas[i], _ = asInt(in["delta"])
		k := [2]int{t.item, t.loc}
		current, ok := pending[k]
		if !ok {
			current = x.h.store.levels[t.loc].get(t.item)
		}
		after := current + deltas[i]
		switch {
		case t.hasCAS && t.cas != current:
			errs = append(errs, staleError(entry))
		case after > maxAdjustQuantity:
			errs = append(errs, userError{field: append(entry, "delta"), message: "The quantity can't be higher than 2,000,000,000.", code: "INVALID_QUANTITY_TOO_HIGH"})
		case after < -maxAdjustQuantity:
			errs = append(errs, userError{field: append(entry, "delta"), message: "The quantity can't be lower than -2,000,000,000.", code: "INVALID_QUANTITY_TOO_LOW"})
		}
		pending[k] = after
	}
	if len(errs) > 0 {
		return &inventoryPayload{userErrors: errs}
	}
	group := x.newGroup(input, reason)
	for i, t := range targets {
		levels := x.h.store.levels[t.loc]
		after := levels.get(t.item) + deltas[i]
		levels.write(t.item, after)
		group.changes = append(group.changes,
			inventoryChange{name: "available", delta: deltas[i], after: after, item: t.item, loc: t.loc},
			inventoryChange{name: "on_hand", delta: deltas[i], after: after, item: t.item, loc: t.loc})
	}
	x.itemsWritten += len(targets)
	return &inventoryPayload{group: group}
}

func (x *execution) newGroup(input map[string]any, reason string) *adjustmentGroup {
	ref, _ := input["referenceDocumentUri"].(string)
	name, _ := input["name"].(string)
	var ledger string
	if changes, ok := input["changes"].([]any); ok && len(changes) > 0 {
		first, _ := changes[0].(map[string]any)
		ledger, _ = first["ledgerDocumentUri"].(string)
	}
	x.h.history = append(x.h.history, Adjustment{QuantityName: name, Reason: reason, ReferenceDocumentURI: ref, LedgerDocumentURI: ledger})
	x.h.adjustmentGroups++
	return &adjustmentGroup{index: x.h.adjustmentGroups - 1, reason: reason, reference: ref, createdAt: x.h.now()}
}

// inventoryKeyError is the payload of an inventory mutation that did not run: its key cannot
// run, or the shop answered a transient error.
func inventoryKeyError(ue userError) any {
	return &inventoryPayload{userErrors: []any{ue}}
}

// checkReference validates referenceDocumentUri: a URI with a scheme and content, and for a
// global id every part (app, type, id).
func checkReference(input map[string]any) *userError {
	ref, present := input["referenceDocumentUri"].(string)
	if !present || validDocumentURI(ref) {
		return nil
	}
	return &userError{field: []string{"input", "referenceDocumentUri"}, message: "The specified reference document is invalid.", code: "INVALID_REFERENCE_DOCUMENT"}
}

// checkLedgerDocument applies Shopify's ledger document rules to one adjust entry: required
// for every quantity name but available, refused for available, never a Shopify gid.
func checkLedgerDocument(name, doc string, field []string) *userError {
	switch {
	case name == "available" && doc != "":
		return &userError{field: field, message: "A ledger document URI is not allowed when adjusting available.", code: "INVALID_AVAILABLE_DOCUMENT"}
	case name == "available":
		return nil
	case doc == "":
		return &userError{field: field, message: "A ledger document URI is required except when adjusting available.", code: "INVALID_QUANTITY_DOCUMENT"}
	case strings.HasPrefix(doc, "gid://shopify/"):
		return &userError{field: field, message: "Internal (gid://shopify/) ledger documents are not allowed to be adjusted via API.", code: "INTERNAL_LEDGER_DOCUMENT"}
	case !validDocumentURI(doc):
		return &userError{field: field, message: "The specified ledger document is invalid.", code: "INVALID_LEDGER_DOCUMENT"}
	}
	return nil
}

// validDocumentURI reports whether s is a URI Shopify takes as a document: a scheme and
// content, and for the gid form an app, a type and an id.
func validDocumentURI(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || len(s) == len(u.Scheme)+1 {
		return false
	}
	if u.Scheme != "gid" {
		return true
	}
	parts := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	return u.Host != "" && len(parts) == 2 && parts[0] != "" && parts[1] != ""
}

func staleError(entry []string) userError {
	return userError{
		field:   append(append([]string(nil), entry...), "changeFromQuantity"),
		message: "The changeFromQuantity argument no longer matches the persisted quantity.",
		code:    "CHANGE_FROM_QUANTITY_STALE",
	}
}

func inputTooLarge(n int) *fieldError {
	return errorf("MAX_INPUT_SIZE_EXCEEDED", "%s", fmt.Sprintf("The input array size of %d is greater than the maximum allowed of %d.", n, maxInputSize))
}
