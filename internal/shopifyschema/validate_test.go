package shopifyschema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func mustLoad(t testing.TB) *ast.Schema {
	t.Helper()
	s, err := Load(DefaultPath())
	if err != nil {
		t.Fatalf("load schema (run `make shopify-schema` if it is missing): %v", err)
	}
	return s
}

const setQuantities = `mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}`

func TestValidate(t *testing.T) {
	schema := mustLoad(t)
	goodVars := map[string]any{
		"key": "k1",
		"input": map[string]any{
			"name": "available", "reason": "correction",
			"quantities": []any{map[string]any{
				"inventoryItemId": "gid://shopify/InventoryItem/1", "locationId": "gid://shopify/Location/1",
				"quantity": json.Number("5"), "changeFromQuantity": nil,
			}},
		},
	}
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		ok    bool
	}{
		{"variants page", `query($q: String) { productVariants(first: 250, query: $q) {
			pageInfo { hasNextPage endCursor }
			nodes { id sku inventoryItem { id inventoryLevel(locationId: "gid://shopify/Location/1") {
				quantities(names: ["available"]) { name quantity } } } } } }`, map[string]any{"q": "sku:A OR sku:B"}, true},
		{"set quantities with idempotency key", setQuantities, goodVars, true},
		{"bulk run", `mutation { bulkOperationRunQuery(query: "{ productVariants { edges { node { id } } } }") {
			bulkOperation { id status } userErrors { field message code } } }`, nil, true},
		{"unknown field", `{ productVariants(first: 1) { nodes { id skuu } } }`, nil, false},
		{"wrong argument", `{ productVariants(firstt: 1) { nodes { id } } }`, nil, false},
		{"missing required argument", `{ inventoryItem { id } }`, nil, false},
		{"wrong argument type", `{ productVariants(first: "ten") { nodes { id } } }`, nil, false},
		{"unknown directive", `mutation { inventorySetQuantities(input: {name: "available", reason: "correction", quantities: []}) @idem(key: "k") { userErrors { code } } }`, nil, false},
		{"wrong variable type", `query($n: Int) { productVariants(first: $n) { nodes { id } } }`, map[string]any{"n": "many"}, false},
		{"missing required variable", setQuantities, map[string]any{"key": "k"}, false},
		{"unknown input field in variable", setQuantities, map[string]any{"key": "k", "input": map[string]any{
			"name": "available", "reason": "correction", "ignoreCompareQuantity": true, "quantities": []any{}}}, false},
		{"syntax error", `{ productVariants(first: 1) { nodes { id }`, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(schema, tc.query, tc.vars)
			if tc.ok && err != nil {
				t.Fatalf("want valid, got %v", err)
			}
			if !tc.ok {
				var verr *ValidationError
				if !errors.As(err, &verr) {
					t.Fatalf("want *ValidationError, got %v", err)
				}
			}
		})
	}
}

func TestLoadIsCached(t *testing.T) {
	a := mustLoad(t)
	b := mustLoad(t)
	if a != b {
		t.Fatal("second Load built the schema again")
	}
	if a.Directives["idempotent"] == nil {
		t.Fatal("schema lacks @idempotent")
	}
}

func TestLoadMissingFileSaysHowToFetch(t *testing.T) {
	_, err := Load(t.TempDir() + "/absent.json.gz")
	if err == nil || !strings.Contains(err.Error(), "make shopify-schema") {
		t.Fatalf("want hint to run make shopify-schema, got %v", err)
	}
}
