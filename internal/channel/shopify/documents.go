package shopify

import (
	"encoding/json"
	"strings"
)

// operation is one GraphQL document this connector sends, with the cost it expects the
// server to request for it until a response reports the real figure.
type operation struct {
	name         string
	document     string
	expectedCost float64
}

// The inventory quantity names a connector can read and write: inventorySetQuantities takes
// only these two.
const (
	availableName = "available"
	onHandName    = "on_hand"
)

// The inventory level is read with includeInactive: true. Since 2026-04 a deactivated level
// keeps its quantities and can be written like an active one, but inventoryLevel hides it
// unless asked: without the argument an item whose level was deactivated while holding stock
// would read as not stocked, and a run would leave it (or stock it again) instead of writing
// it.
var variantsPage = operation{
	name: "VariantsPage",
	document: `query VariantsPage($first: Int!, $after: String, $query: String, $location: ID!, $names: [String!]!) {
  productVariants(first: $first, after: $after, query: $query) {
    nodes {
      sku
      requiresComponents
      inventoryItem {
        id
        tracked
        inventoryLevel(locationId: $location, includeInactive: true) {
          quantities(names: $names) { name quantity }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
	expectedCost: connectionCost + maxPageSize*variantNodeCost,
}

var setQuantities = operation{
	name: "SetQuantities",
	document: `mutation SetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    userErrors { code field message }
  }
}`,
	expectedCost: mutationCost,
}

var adjustQuantities = operation{
	name: "AdjustQuantities",
	document: `mutation AdjustQuantities($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    userErrors { code field message }
  }
}`,
	expectedCost: mutationCost,
}

var stockItem = operation{
	name: "StockItem",
	document: `mutation StockItem($item: ID!, $location: ID!, $key: String!) {
  inventoryActivate(inventoryItemId: $item, locationId: $location) @idempotent(key: $key) {
    inventoryLevel { id }
    userErrors { field message }
  }
}`,
	expectedCost: mutationCost,
}

var runBulkQuery = operation{
	name: "RunBulkQuery",
	document: `mutation RunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { code field message }
  }
}`,
	expectedCost: mutationCost,
}

var bulkStatus = operation{
	name: "BulkStatus",
	document: `query BulkStatus($id: ID!) {
  bulkOperation(id: $id) { id status errorCode url }
}`,
	expectedCost: 1,
}

// bulkVariantsQuery is the query a bulk operation runs to export every variant with its
// inventory item and its quantity of the given name at the location, inactive levels
// included as in variantsPage. Bulk queries take no
// variables, so the location and the name are literals. No field of it is a nested
// connection, so every JSONL line is one variant.
func bulkVariantsQuery(locationID, quantityName string) string {
	return `{
  productVariants {
    edges {
      node {
        sku
        requiresComponents
        inventoryItem {
          id
          tracked
          inventoryLevel(locationId: ` + graphQLString(locationID) + `, includeInactive: true) {
            quantities(names: [` + graphQLString(quantityName) + `]) { name quantity }
          }
        }
      }
    }
  }
}`
}

// graphQLString writes s as a GraphQL string literal; JSON's escapes are a subset of
// GraphQL's.
func graphQLString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// skuSearch builds a productVariants search query matching any of skus, quoting the values
// that Shopify's search syntax would otherwise split or interpret.
func skuSearch(skus []string) string {
	var b strings.Builder
	for i, sku := range skus {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("sku:")
		b.WriteString(searchValue(sku))
	}
	return b.String()
}

func searchValue(v string) string {
	if v != "" && strings.IndexFunc(v, needsQuoting) < 0 {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(v) + `"`
}

// needsQuoting reports whether a rune outside a quoted value could change the meaning of a
// search (spaces, quotes, operators, wildcards, comparisons).
func needsQuoting(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	case r == '-' || r == '_' || r == '.' || r == '/':
		return false
	}
	return true
}

// Variables of the mutations. changeFromQuantity has no omitempty: the schema requires it
// to be present, null when the write is not a compare-and-swap.

type quantityInput struct {
	InventoryItemID    string `json:"inventoryItemId"`
	LocationID         string `json:"locationId"`
	Quantity           int64  `json:"quantity"`
	ChangeFromQuantity *int64 `json:"changeFromQuantity"`
}

type setQuantitiesInput struct {
	Name                 string          `json:"name"`
	Reason               string          `json:"reason"`
	ReferenceDocumentURI string          `json:"referenceDocumentUri,omitempty"`
	Quantities           []quantityInput `json:"quantities"`
}

type changeInput struct {
	InventoryItemID    string `json:"inventoryItemId"`
	LocationID         string `json:"locationId"`
	Delta              int64  `json:"delta"`
	ChangeFromQuantity *int64 `json:"changeFromQuantity"`
	// LedgerDocumentURI is required for every name but available, and refused for it.
	LedgerDocumentURI string `json:"ledgerDocumentUri,omitempty"`
}

type adjustQuantitiesInput struct {
	Name                 string        `json:"name"`
	Reason               string        `json:"reason"`
	ReferenceDocumentURI string        `json:"referenceDocumentUri,omitempty"`
	Changes              []changeInput `json:"changes"`
}

type stockItemVariables struct {
	Item     string `json:"item"`
	Location string `json:"location"`
	Key      string `json:"key"`
}

type mutationVariables[T any] struct {
	Input T      `json:"input"`
	Key   string `json:"key"`
}

type variantsPageVariables struct {
	First    int      `json:"first"`
	After    *string  `json:"after"`
	Query    *string  `json:"query"`
	Location string   `json:"location"`
	Names    []string `json:"names"`
}

// Response shapes.

type userError struct {
	Code    string   `json:"code"`
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

type variantNode struct {
	SKU *string `json:"sku"`
	// RequiresComponents marks a bundle's parent variant, whose stock Shopify computes from
	// its components.
	RequiresComponents bool `json:"requiresComponents"`
	InventoryItem      *struct {
		ID string `json:"id"`
		// Tracked is a pointer so that an answer without the field reads as tracked.
		Tracked        *bool `json:"tracked"`
		InventoryLevel *struct {
			Quantities []struct {
				Name     string `json:"name"`
				Quantity int64  `json:"quantity"`
			} `json:"quantities"`
		} `json:"inventoryLevel"`
	} `json:"inventoryItem"`
}

type variantsPageData struct {
	ProductVariants struct {
		Nodes    []variantNode `json:"nodes"`
		PageInfo struct {
			HasNextPage bool    `json:"hasNextPage"`
			EndCursor   *string `json:"endCursor"`
		} `json:"pageInfo"`
	} `json:"productVariants"`
}

type mutationPayload struct {
	UserErrors []userError `json:"userErrors"`
}

type setQuantitiesData struct {
	Payload *mutationPayload `json:"inventorySetQuantities"`
}

type adjustQuantitiesData struct {
	Payload *mutationPayload `json:"inventoryAdjustQuantities"`
}

type stockItemData struct {
	Payload *struct {
		UserErrors []userError `json:"userErrors"`
	} `json:"inventoryActivate"`
}

type bulkOperation struct {
	ID        string  `json:"id"`
	Status    string  `json:"status"`
	ErrorCode *string `json:"errorCode"`
	URL       *string `json:"url"`
}

type runBulkQueryData struct {
	Payload *struct {
		BulkOperation *bulkOperation `json:"bulkOperation"`
		UserErrors    []userError    `json:"userErrors"`
	} `json:"bulkOperationRunQuery"`
}

type bulkStatusData struct {
	BulkOperation *bulkOperation `json:"bulkOperation"`
}
