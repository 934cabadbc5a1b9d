package shopifytest

import (
	"net/http"
	"strings"
	"testing"
)

func adjustOne(t *testing.T, s shop, key, item string, delta int) response {
	t.Helper()
	return do(t, s.srv, adjustMutation, map[string]any{"key": key, "input": map[string]any{
		"name": "available", "reason": "correction",
		"changes": []any{map[string]any{"inventoryItemId": item, "locationId": s.loc, "delta": delta, "changeFromQuantity": nil}},
	}})
}

func TestAKeyWhoseRequestFailedIsRefusedForGood(t *testing.T) {
	s := newShop(t, 1, Options{})
	s.srv.FailKeyedRequests(1, http.StatusInternalServerError)
	if r := adjustOne(t, s, "key-1", s.items[0], 5); r.Status != http.StatusInternalServerError {
		t.Fatalf("first request: status %d, want 500", r.Status)
	}
	again := setPayload(t, adjustOne(t, s, "key-1", s.items[0], 5))
	if len(again.UserErrors) != 1 || again.UserErrors[0].Code != "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED" || again.InventoryAdjustmentGroup != nil {
		t.Fatalf("same key after a failure: %+v", again)
	}
	if got := s.srv.Available(s.items[0], s.loc); got != 10 {
		t.Fatalf("available %d, want 10: nothing may apply", got)
	}
	if fresh := setPayload(t, adjustOne(t, s, "key-2", s.items[0], 5)); len(fresh.UserErrors) != 0 {
		t.Fatalf("new key: %+v", fresh.UserErrors)
	}
	if got := s.srv.Available(s.items[0], s.loc); got != 15 {
		t.Fatalf("available %d after the new key, want 15", got)
	}
	s.srv.AssertNoErrors(t)
}

func TestAWriteAtALocationWithoutTheItemDoesNotStockIt(t *testing.T) {
	s := newShop(t, 0, Options{})
	_, item := s.srv.AddVariant("LOOSE")
	if p := setPayload(t, adjustOne(t, s, "k", item, 3)); len(p.UserErrors) != 0 || p.InventoryAdjustmentGroup == nil {
		t.Fatalf("write to an unstocked item: %+v", p)
	}
	if s.srv.Stocked(item, s.loc) {
		t.Fatal("a write stocked the item")
	}
	const activate = `mutation($item: ID!, $loc: ID!, $key: String!) {
  inventoryActivate(inventoryItemId: $item, locationId: $loc) @idempotent(key: $key) { inventoryLevel { id } userErrors { field message } }
}`
	noKey := do(t, s.srv, `mutation($item: ID!, $loc: ID!) { inventoryActivate(inventoryItemId: $item, locationId: $loc) { userErrors { message } } }`,
		map[string]any{"item": item, "loc": s.loc})
	if noKey.errorCode() != "BAD_REQUEST" || s.srv.Stocked(item, s.loc) {
		t.Fatalf("inventoryActivate without @idempotent: %+v", noKey.Errors)
	}
	var out struct {
		Activate struct {
			InventoryLevel *struct{ ID string } `json:"inventoryLevel"`
			UserErrors     []struct{ Message string }
		} `json:"inventoryActivate"`
	}
	decodeData(t, do(t, s.srv, activate, map[string]any{"item": item, "loc": s.loc, "key": "stock-1"}), &out)
	// Since 2026-04 activation keeps what was written while the item was not stocked.
	if out.Activate.InventoryLevel == nil || len(out.Activate.UserErrors) != 0 || !s.srv.Stocked(item, s.loc) || s.srv.Available(item, s.loc) != 3 {
		t.Fatalf("inventoryActivate: %+v, stocked %v", out.Activate, s.srv.Stocked(item, s.loc))
	}
	s.srv.AssertNoErrors(t)
}

func TestTrackedFollowsTheItem(t *testing.T) {
	s := newShop(t, 2, Options{})
	s.srv.SetTracked(s.items[1], false)
	var out struct {
		Nodes struct {
			Nodes []struct {
				Tracked bool `json:"tracked"`
			} `json:"nodes"`
		} `json:"inventoryItems"`
	}
	decodeData(t, do(t, s.srv, `{ inventoryItems(first: 2) { nodes { tracked } } }`, nil), &out)
	if n := out.Nodes.Nodes; len(n) != 2 || !n[0].Tracked || n[1].Tracked {
		t.Fatalf("tracked: %+v", n)
	}
}

func TestReferenceAndLedgerDocuments(t *testing.T) {
	cases := []struct {
		name, quantity, reference, ledger, wantCode string
	}{
		{"gid reference", "available", "gid://inventory-operator/SyncRun/r1", "", ""},
		{"https reference", "available", "https://example.test/doc/1", "", ""},
		{"gid without an id", "available", "gid://inventory-operator/SyncRun", "", "INVALID_REFERENCE_DOCUMENT"},
		{"no scheme", "available", "SyncRun/r1", "", "INVALID_REFERENCE_DOCUMENT"},
		{"ledger for available", "available", "", "gid://inventory-operator/Write/1", "INVALID_AVAILABLE_DOCUMENT"},
		{"on_hand with a ledger", "on_hand", "", "gid://inventory-operator/Write/1", ""},
		{"on_hand without a ledger", "on_hand", "", "", "INVALID_QUANTITY_DOCUMENT"},
		{"on_hand with a Shopify ledger", "on_hand", "", "gid://shopify/Order/1", "INTERNAL_LEDGER_DOCUMENT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newShop(t, 1, Options{})
			change := map[string]any{"inventoryItemId": s.items[0], "locationId": s.loc, "delta": 1, "changeFromQuantity": nil}
			if c.ledger != "" {
				change["ledgerDocumentUri"] = c.ledger
			}
			input := map[string]any{"name": c.quantity, "reason": "correction", "changes": []any{change}}
			if c.reference != "" {
				input["referenceDocumentUri"] = c.reference
			}
			p := setPayload(t, do(t, s.srv, adjustMutation, map[string]any{"key": "k", "input": input}))
			got := ""
			if len(p.UserErrors) > 0 {
				got = p.UserErrors[0].Code
			}
			if got != c.wantCode {
				t.Fatalf("code %q, want %q (%+v)", got, c.wantCode, p.UserErrors)
			}
		})
	}
}

func TestUserErrorFieldsCanBeOmitted(t *testing.T) {
	s := newShop(t, 1, Options{})
	s.srv.OmitUserErrorFields(true)
	p := setPayload(t, do(t, s.srv, setMutation, map[string]any{"key": "k", "input": setInput(quantity(s.items[0], s.loc, 4, 3))}))
	if len(p.UserErrors) != 1 || p.UserErrors[0].Code != "CHANGE_FROM_QUANTITY_STALE" || p.UserErrors[0].Field != nil {
		t.Fatalf("user errors %+v, want one stale error without a field", p.UserErrors)
	}
}

func TestAtMostFiveBulkOperationsRunAtOnce(t *testing.T) {
	s := newShop(t, 3, Options{})
	release := s.srv.OccupyBulkOperations(BulkQuery, maxBulkConcurrent)
	query := `{ productVariants { edges { node { sku } } } }`
	var refused struct {
		Run struct {
			BulkOperation *bulkOp `json:"bulkOperation"`
			UserErrors    []struct {
				Message, Code string
			} `json:"userErrors"`
		} `json:"bulkOperationRunQuery"`
	}
	decodeData(t, do(t, s.srv, runBulk, map[string]any{"q": query}), &refused)
	if refused.Run.BulkOperation != nil || len(refused.Run.UserErrors) != 1 || refused.Run.UserErrors[0].Code != "LIMIT_REACHED" ||
		!strings.Contains(refused.Run.UserErrors[0].Message, "limit reached") {
		t.Fatalf("a sixth operation: %+v", refused.Run)
	}
	release()
	if op := runBulkQuery(t, s, query); op.Status != "COMPLETED" {
		t.Fatalf("after one ended: %+v", op)
	}
}

// Bulk queries and bulk mutations are counted apart: five mutations running do not hold back
// a query.
func TestBulkMutationsDoNotHoldBackABulkQuery(t *testing.T) {
	s := newShop(t, 1, Options{})
	query := `{ productVariants { edges { node { sku } } } }`
	release := s.srv.OccupyBulkOperations(BulkMutation, maxBulkConcurrent)
	defer release()
	if op := runBulkQuery(t, s, query); op.Status != "COMPLETED" {
		t.Fatalf("a query while five mutations run: %+v", op)
	}
	var current struct {
		Query    *struct{ Type string } `json:"q"`
		Mutation *struct{ Type string } `json:"m"`
	}
	decodeData(t, do(t, s.srv, `{ q: currentBulkOperation(type: QUERY) { type } m: currentBulkOperation(type: MUTATION) { type } }`, nil), &current)
	if current.Query == nil || current.Query.Type != BulkQuery || current.Mutation != nil {
		t.Fatalf("current operations %+v", current)
	}
	s.srv.AssertNoErrors(t)
}
