package shopifytest

import (
	"net/http"
	"testing"
)

const variantsQuery = `query Variants($first: Int!, $after: String, $q: String, $loc: ID!) {
  productVariants(first: $first, after: $after, query: $q) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id } }
    nodes { id sku inventoryItem { id inventoryLevel(locationId: $loc) { quantities(names: ["available"]) { name quantity } } } }
  }
}`

type variantsPage struct {
	ProductVariants struct {
		PageInfo struct {
			HasNextPage bool    `json:"hasNextPage"`
			EndCursor   *string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Cursor string `json:"cursor"`
		} `json:"edges"`
		Nodes []struct {
			ID            string `json:"id"`
			SKU           string `json:"sku"`
			InventoryItem struct {
				ID             string `json:"id"`
				InventoryLevel *struct {
					Quantities []struct {
						Name     string `json:"name"`
						Quantity int64  `json:"quantity"`
					} `json:"quantities"`
				} `json:"inventoryLevel"`
			} `json:"inventoryItem"`
		} `json:"nodes"`
	} `json:"productVariants"`
}

func TestProductVariantsPagesAndFiltersBySKU(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	loc := srv.AddLocation("Berlin")
	skus := []string{"A", "B", "DUP", "C", "DUP"}
	items := map[string]string{}
	for i, sku := range skus {
		_, item := srv.AddVariant(sku)
		items[item] = sku
		if sku != "C" { // C is not stocked at the location
			srv.SetAvailable(item, loc, int64(10*i))
		}
	}

	var seen []string
	var after any
	for page := 0; ; page++ {
		var got variantsPage
		decodeData(t, do(t, srv, variantsQuery, map[string]any{"first": 2, "after": after, "loc": loc}), &got)
		pv := got.ProductVariants
		for i, n := range pv.Nodes {
			seen = append(seen, n.SKU)
			if pv.Edges[i].Cursor == "" {
				t.Fatal("edge without cursor")
			}
			if items[n.InventoryItem.ID] != n.SKU {
				t.Fatalf("item %s does not belong to sku %s", n.InventoryItem.ID, n.SKU)
			}
			if (n.InventoryItem.InventoryLevel == nil) != (n.SKU == "C") {
				t.Fatalf("sku %s: inventoryLevel %v", n.SKU, n.InventoryItem.InventoryLevel)
			}
		}
		if !pv.PageInfo.HasNextPage {
			break
		}
		after = *pv.PageInfo.EndCursor
		if page > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != len(skus) {
		t.Fatalf("paged through %v, want %v", seen, skus)
	}

	var filtered variantsPage
	decodeData(t, do(t, srv, variantsQuery, map[string]any{"first": 10, "q": `sku:DUP OR sku:"A"`, "loc": loc}), &filtered)
	var got []string
	for _, n := range filtered.ProductVariants.Nodes {
		got = append(got, n.SKU)
		if n.SKU == "A" && n.InventoryItem.InventoryLevel.Quantities[0].Quantity != 0 {
			t.Fatalf("A shows %+v", n.InventoryItem.InventoryLevel)
		}
	}
	if len(got) != 3 || got[0] != "A" || got[1] != "DUP" || got[2] != "DUP" {
		t.Fatalf("sku filter returned %v", got)
	}
	srv.AssertNoErrors(t)
}

func TestInventoryItemReads(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	loc := srv.AddLocation("Berlin")
	_, item := srv.AddVariant("X")
	srv.AddVariant("X")
	srv.SetAvailable(item, loc, 7)
	var got struct {
		InventoryItem struct {
			SKU               string `json:"sku"`
			DuplicateSkuCount int    `json:"duplicateSkuCount"`
			InventoryLevels   struct {
				Nodes []struct {
					Location   struct{ Name string } `json:"location"`
					Quantities []struct {
						Quantity int64 `json:"quantity"`
					} `json:"quantities"`
				} `json:"nodes"`
			} `json:"inventoryLevels"`
		} `json:"inventoryItem"`
		Node struct {
			Typename string `json:"__typename"`
		} `json:"node"`
	}
	decodeData(t, do(t, srv, `query($id: ID!) {
		inventoryItem(id: $id) { sku duplicateSkuCount inventoryLevels(first: 5) { nodes { location { name } quantities(names: ["available", "on_hand"]) { quantity } } } }
		node(id: $id) { __typename ... on InventoryItem { id } }
	}`, map[string]any{"id": item}), &got)
	ii := got.InventoryItem
	if ii.SKU != "X" || ii.DuplicateSkuCount != 1 || len(ii.InventoryLevels.Nodes) != 1 ||
		ii.InventoryLevels.Nodes[0].Location.Name != "Berlin" || ii.InventoryLevels.Nodes[0].Quantities[1].Quantity != 7 {
		t.Fatalf("got %+v", got)
	}
	if got.Node.Typename != "InventoryItem" {
		t.Fatalf("node resolved to %q", got.Node.Typename)
	}
	srv.AssertNoErrors(t)
}

func TestRequestsAreAuthenticatedAndValidated(t *testing.T) {
	srv, _ := newTestServer(t, Options{Token: "shpat_right"})
	srv.AddLocation("Berlin")
	cases := []struct {
		name       string
		token      string
		query      string
		vars       map[string]any
		wantStatus int
		wantError  bool
	}{
		{"valid", "shpat_right", `{ locations(first: 5) { nodes { id name } } }`, nil, http.StatusOK, false},
		{"wrong token", "shpat_wrong", `{ locations(first: 5) { nodes { id } } }`, nil, http.StatusUnauthorized, true},
		{"unknown field", "shpat_right", `{ locations(first: 5) { nodes { id colour } } }`, nil, http.StatusOK, true},
		{"unknown argument", "shpat_right", `{ locations(firstt: 5) { nodes { id } } }`, nil, http.StatusOK, true},
		{"missing required argument", "shpat_right", `{ inventoryItem { id } }`, nil, http.StatusOK, true},
		{"wrong variable type", "shpat_right", `query($n: Int) { locations(first: $n) { nodes { id } } }`, map[string]any{"n": "five"}, http.StatusOK, true},
	}
	invalid := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, srv, tc.token, tc.query, tc.vars)
			if r.Status != tc.wantStatus {
				t.Fatalf("status %d, want %d", r.Status, tc.wantStatus)
			}
			if r.Status != http.StatusOK {
				return
			}
			if (len(r.Errors) > 0) != tc.wantError {
				t.Fatalf("errors %+v, want error %v", r.Errors, tc.wantError)
			}
			if tc.wantError {
				invalid++
				if string(r.Data) != "" && string(r.Data) != "null" {
					t.Fatalf("invalid document got data %s", r.Data)
				}
			}
			if r.Extensions.Cost.ThrottleStatus.MaximumAvailable != 2000 {
				t.Fatalf("no cost extension: %+v", r.Extensions)
			}
		})
	}
	if got := len(srv.InvalidDocuments()); got != invalid {
		t.Fatalf("recorded %d invalid documents, want %d", got, invalid)
	}
}
