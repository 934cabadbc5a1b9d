package shopify

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/internal/channel"
)

func TestEveryDocumentIsValidAgainstTheSchema(t *testing.T) {
	schema := loadSchema(t)
	query := skuSearch([]string{"A", "B C"})
	cursor := "abc"
	cases := []struct {
		op   operation
		vars any
	}{
		{variantsPage, variantsPageVariables{First: maxPageSize, Query: &query, Location: "gid://shopify/Location/7", Names: []string{availableName}}},
		{variantsPage, variantsPageVariables{First: maxPageSize, After: &cursor, Location: "gid://shopify/Location/7", Names: []string{onHandName}}},
		{setQuantities, mutationVariables[setQuantitiesInput]{Key: "k", Input: setQuantitiesInput{
			Name: availableName, Reason: "correction", Quantities: []quantityInput{
				{InventoryItemID: "gid://shopify/InventoryItem/1", LocationID: "gid://shopify/Location/7", Quantity: 5, ChangeFromQuantity: ptr(int64(3))},
				{InventoryItemID: "gid://shopify/InventoryItem/2", LocationID: "gid://shopify/Location/7", Quantity: 0},
			}}}},
		{setQuantities, mutationVariables[setQuantitiesInput]{Key: "k", Input: setQuantitiesInput{
			Name: onHandName, Reason: "correction", ReferenceDocumentURI: "gid://inventory-operator/SyncRun/r-1", Quantities: []quantityInput{
				{InventoryItemID: "gid://shopify/InventoryItem/1", LocationID: "gid://shopify/Location/7", Quantity: 5},
			}}}},
		{adjustQuantities, mutationVariables[adjustQuantitiesInput]{Key: "k", Input: adjustQuantitiesInput{
			Name: onHandName, Reason: "correction", ReferenceDocumentURI: "gid://inventory-operator/InventoryEvent/e-1", Changes: []changeInput{
				{InventoryItemID: "gid://shopify/InventoryItem/1", LocationID: "gid://shopify/Location/7", Delta: -2, LedgerDocumentURI: "gid://inventory-operator/InventoryEvent/e-1"},
			}}}},
		{stockItem, stockItemVariables{Item: "gid://shopify/InventoryItem/1", Location: "gid://shopify/Location/7", Key: "k/stock-1"}},
		{adjustQuantities, mutationVariables[adjustQuantitiesInput]{Key: "k", Input: adjustQuantitiesInput{
			Name: availableName, Reason: "correction", Changes: []changeInput{
				{InventoryItemID: "gid://shopify/InventoryItem/1", LocationID: "gid://shopify/Location/7", Delta: -2, ChangeFromQuantity: ptr(int64(3))},
				{InventoryItemID: "gid://shopify/InventoryItem/2", LocationID: "gid://shopify/Location/7", Delta: 4},
			}}}},
		{runBulkQuery, map[string]string{"query": bulkVariantsQuery("gid://shopify/Location/7", availableName)}},
		{bulkStatus, map[string]string{"id": "gid://shopify/BulkOperation/1"}},
	}
	for _, c := range cases {
		requireValid(t, schema, c.op.document, c.op.name, c.vars)
	}
	requireValid(t, schema, bulkVariantsQuery(`gid://shopify/Location/"7"`, onHandName), "", nil)
}

// The schema makes changeFromQuantity nullable but Shopify requires it to be present: a
// write without compare-and-swap must send an explicit null.
func TestChangeFromQuantityIsSentAsNullWithoutCompare(t *testing.T) {
	vars := wireVariables(t, mutationVariables[adjustQuantitiesInput]{Key: "k", Input: adjustQuantitiesInput{
		Changes: []changeInput{{InventoryItemID: "i", LocationID: "l", Delta: 1}},
	}})
	change := vars["input"].(map[string]any)["changes"].([]any)[0].(map[string]any)
	if v, present := change["changeFromQuantity"]; !present || v != nil {
		t.Errorf("changeFromQuantity = %v (present %v), want an explicit null", v, present)
	}
}

func TestSKUSearch(t *testing.T) {
	cases := []struct {
		skus []string
		want string
	}{
		{[]string{"A"}, "sku:A"},
		{[]string{"A", "B-2", "c.3"}, "sku:A OR sku:B-2 OR sku:c.3"},
		{[]string{"RED SHIRT"}, `sku:"RED SHIRT"`},
		{[]string{`say "hi"`}, `sku:"say \"hi\""`},
		{[]string{`a\b`}, `sku:"a\\b"`},
		{[]string{"x:y", "(z)"}, `sku:"x:y" OR sku:"(z)"`},
		{[]string{"AB*", ">5", "é"}, `sku:"AB*" OR sku:">5" OR sku:"é"`},
		{[]string{""}, `sku:""`},
	}
	for _, c := range cases {
		if got := skuSearch(c.skus); got != c.want {
			t.Errorf("skuSearch(%q) = %s, want %s", c.skus, got, c.want)
		}
	}
}

func TestChangeIndex(t *testing.T) {
	cases := []struct {
		field []string
		want  int
		ok    bool
	}{
		{[]string{"input", "quantities", "3", "changeFromQuantity"}, 3, true},
		{[]string{"input", "changes", "0", "delta"}, 0, true},
		{[]string{"input", "changes", "12"}, 12, true},
		{[]string{"input", "reason"}, 0, false},
		{[]string{"input", "changes", "x"}, 0, false},
		{[]string{"input", "changes", "-1"}, 0, false},
		{[]string{"input", "changes"}, 0, false},
		{nil, 0, false},
	}
	for _, c := range cases {
		got, ok := changeIndex(c.field)
		if got != c.want || ok != c.ok {
			t.Errorf("changeIndex(%q) = %d, %v, want %d, %v", c.field, got, ok, c.want, c.ok)
		}
	}
}

func TestVariantNodeItem(t *testing.T) {
	cases := []struct {
		name   string
		json   string
		want   channel.Item
		wantOK bool
	}{
		{"stocked", `{"sku":"A","inventoryItem":{"id":"I1","inventoryLevel":{"quantities":[{"name":"available","quantity":4}]}}}`, channel.Item{ID: "I1", SKU: "A", Quantity: 4}, true},
		{"not stocked at the location", `{"sku":"A","inventoryItem":{"id":"I1","inventoryLevel":null}}`, channel.Item{ID: "I1", SKU: "A", NotStocked: true}, true},
		{"tracked", `{"sku":"A","inventoryItem":{"id":"I1","tracked":true,"inventoryLevel":{"quantities":[]}}}`, channel.Item{ID: "I1", SKU: "A"}, true},
		{"untracked", `{"sku":"A","inventoryItem":{"id":"I1","tracked":false,"inventoryLevel":{"quantities":[{"name":"available","quantity":4}]}}}`, channel.Item{ID: "I1", SKU: "A", Quantity: 4, Untracked: true}, true},
		{"another quantity name is ignored", `{"sku":"A","inventoryItem":{"id":"I1","inventoryLevel":{"quantities":[{"name":"on_hand","quantity":9}]}}}`, channel.Item{ID: "I1", SKU: "A"}, true},
		{"no SKU", `{"sku":null,"inventoryItem":{"id":"I1"}}`, channel.Item{}, false},
		{"empty SKU", `{"sku":"","inventoryItem":{"id":"I1"}}`, channel.Item{}, false},
		{"no inventory item", `{"sku":"A","inventoryItem":null}`, channel.Item{}, false},
	}
	for _, c := range cases {
		var l bulkLine
		if err := json.Unmarshal([]byte(c.json), &l); err != nil {
			t.Fatal(err)
		}
		got, ok := l.item(availableName)
		if got != c.want || ok != c.wantOK {
			t.Errorf("%s: item() = %+v, %v, want %+v, %v", c.name, got, ok, c.want, c.wantOK)
		}
	}
}

func TestLocationGID(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"gid://shopify/Location/123", "gid://shopify/Location/123", ""},
		{"123", "gid://shopify/Location/123", ""},
		{" 123 ", "gid://shopify/Location/123", ""},
		{"", "", "neither"},
		{"gid://shopify/Location/", "", "neither"},
		{"gid://shopify/Product/1", "", "neither"},
	}
	for _, c := range cases {
		got, err := locationGID(c.in)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("locationGID(%q) = %q, %v", c.in, got, err)
		}
	}
}
