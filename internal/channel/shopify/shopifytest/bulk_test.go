package shopifytest

import (
	"bufio"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

const runBulk = `mutation($q: String!) {
  bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } }
}`

const pollBulk = `query($id: ID!) { bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount url } }`

type bulkOp struct {
	ID              string  `json:"id"`
	Status          string  `json:"status"`
	ErrorCode       *string `json:"errorCode"`
	ObjectCount     string  `json:"objectCount"`
	RootObjectCount string  `json:"rootObjectCount"`
	URL             *string `json:"url"`
}

// runBulkQuery starts a bulk query and polls until it ends; the clock moves a second per poll
// so the bucket never runs dry.
func runBulkQuery(t *testing.T, s shop, query string) bulkOp {
	t.Helper()
	var started struct {
		Run struct {
			BulkOperation *bulkOp `json:"bulkOperation"`
			UserErrors    []struct {
				Message string `json:"message"`
			} `json:"userErrors"`
		} `json:"bulkOperationRunQuery"`
	}
	decodeData(t, do(t, s.srv, runBulk, map[string]any{"q": query}), &started)
	if started.Run.BulkOperation == nil {
		t.Fatalf("bulk query refused: %+v", started.Run.UserErrors)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		s.clock.Advance(time.Second)
		var polled struct {
			Op bulkOp `json:"bulkOperation"`
		}
		decodeData(t, do(t, s.srv, pollBulk, map[string]any{"id": started.Run.BulkOperation.ID}), &polled)
		if polled.Op.Status == "COMPLETED" || polled.Op.Status == "FAILED" {
			return polled.Op
		}
	}
	t.Fatal("bulk operation did not finish")
	return bulkOp{}
}

func download(t *testing.T, url string) []map[string]any {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("download: %s", res.Status)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestBulkQueryWritesShopifyJSONL(t *testing.T) {
	s := newShop(t, 3, Options{})
	second := s.srv.AddLocation("Hamburg")
	s.srv.SetAvailable(s.items[1], second, 4)

	op := runBulkQuery(t, s, `{ inventoryItems { edges { node { id sku
		inventoryLevels { edges { node { location { id } quantities(names: ["available"]) { name quantity } } } } } } } }`)
	if op.Status != "COMPLETED" || op.URL == nil || op.RootObjectCount != "3" || op.ObjectCount != "7" {
		t.Fatalf("operation %+v", op)
	}
	lines := download(t, *op.URL)
	// Item 0, its level; item 1, its two levels; item 2, its level.
	wantParents := []string{"", s.items[0], "", s.items[1], s.items[1], "", s.items[2]}
	if len(lines) != len(wantParents) {
		t.Fatalf("%d lines: %v", len(lines), lines)
	}
	for i, line := range lines {
		parent, _ := line["__parentId"].(string)
		if parent != wantParents[i] {
			t.Fatalf("line %d %v: __parentId %q, want %q", i, line, parent, wantParents[i])
		}
		if parent == "" {
			if _, nested := line["inventoryLevels"]; nested {
				t.Fatalf("nested connection written inline: %v", line)
			}
		}
	}
	level := lines[4]["quantities"].([]any)[0].(map[string]any)
	if level["quantity"].(float64) != 4 || lines[4]["location"].(map[string]any)["id"] != second {
		t.Fatalf("second level of item 1: %v", lines[4])
	}
	s.srv.AssertNoErrors(t)
}

func TestBulkQueryOfMillionsIsPagedInternally(t *testing.T) {
	s := newShop(t, 0, Options{})
	r := s.srv.SeedSKUs(s.loc, 2500, func(i int) string { return "S" + string(rune('a'+i%26)) }, func(i int) int64 { return int64(i) })
	op := runBulkQuery(t, s, `{ productVariants { nodes { id sku inventoryItem { id } } } }`)
	if op.Status != "COMPLETED" || op.ObjectCount != "2500" {
		t.Fatalf("operation %+v", op)
	}
	lines := download(t, *op.URL)
	last := lines[len(lines)-1]
	if last["id"] != r.VariantGID(2499) || last["inventoryItem"].(map[string]any)["id"] != r.InventoryItemGID(2499) {
		t.Fatalf("last line %v", last)
	}
	if spent := s.srv.Stats().PointsSpent; spent > 10+3*len(lines)/1000+100 {
		t.Fatalf("bulk read spent %d points", spent)
	}
}

func TestBulkQueryIsValidated(t *testing.T) {
	cases := []struct {
		name  string
		query string
	}{
		{"unknown field", `{ productVariants { edges { node { id skuu } } } }`},
		{"no connection", `{ shop { name } }`},
		{"nested too deep", `{ inventoryItems { nodes { id variants { nodes { id inventoryItem { inventoryLevels { nodes { id } } } } } } } }`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newShop(t, 1, Options{})
			var got struct {
				Run struct {
					BulkOperation *bulkOp `json:"bulkOperation"`
					UserErrors    []struct {
						Field []string `json:"field"`
						Code  string   `json:"code"`
					} `json:"userErrors"`
				} `json:"bulkOperationRunQuery"`
			}
			decodeData(t, do(t, s.srv, runBulk, map[string]any{"q": tc.query}), &got)
			if got.Run.BulkOperation != nil || len(got.Run.UserErrors) != 1 || got.Run.UserErrors[0].Code != "INVALID" {
				t.Fatalf("got %+v", got.Run)
			}
		})
	}
}
