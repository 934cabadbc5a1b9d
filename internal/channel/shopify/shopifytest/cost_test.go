package shopifytest

import (
	"strconv"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/shopifyschema"
)

func TestRequestedCost(t *testing.T) {
	schema, err := shopifyschema.Load(shopifyschema.DefaultPath())
	if err != nil {
		t.Fatalf("load schema (run `make shopify-schema` if it is missing): %v", err)
	}
	cases := []struct {
		name  string
		query string
		want  int
	}{
		{"scalars only", `{ shop { name } }`, 1},
		{"object", `{ inventoryItem(id: "x") { id sku } }`, 1},
		{"nested objects", `{ inventoryItem(id: "x") { id inventoryLevel(locationId: "l") { quantities(names: ["available"]) { quantity } } } }`, 3},
		{"connection", `{ productVariants(first: 10) { nodes { id sku } } }`, 2 + 10},
		{"connection through edges and nodes counts once", `{ productVariants(first: 10) { edges { cursor node { id } } nodes { id } pageInfo { hasNextPage } } }`, 2 + 10},
		{"sync page", `{ productVariants(first: 100) { nodes { id sku inventoryItem { id inventoryLevel(locationId: "l") { quantities(names: ["available"]) { name quantity } } } } } }`, 2 + 100*4},
		{"nested connections multiply", `{ inventoryItems(first: 10) { nodes { id inventoryLevels(first: 5) { nodes { id } } } } }`, 2 + 10*(1+2+5)},
		{"fragment", `query { productVariants(first: 3) { nodes { ...V } } } fragment V on ProductVariant { id product { id } }`, 2 + 3*2},
		{"mutation", `mutation { bulkOperationRunQuery(query: "{ productVariants { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }`, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := shopifyschema.Prepare(schema, tc.query, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := requestedCost(schema, doc.Operation, doc.Variables); got != tc.want {
				t.Fatalf("cost %d, want %d", got, tc.want)
			}
		})
	}
}

func TestBucketLeaksByPlan(t *testing.T) {
	cases := []struct {
		plan          string
		max, restore  float64
		spend         int
		wait          time.Duration
		wantAvailable int
	}{
		{"", 2000, 100, 600, time.Second, 1500},
		{"Standard", 2000, 100, 2000, 30 * time.Second, 2000},
		{"Advanced", 4000, 200, 4000, 2 * time.Second, 400},
		{"Plus", 20000, 1000, 10000, time.Second, 11000},
		{"Enterprise", 40000, 2000, 40000, 500 * time.Millisecond, 1000},
	}
	for _, tc := range cases {
		t.Run(tc.plan, func(t *testing.T) {
			clock := newFakeClock()
			limits, err := limitsFor(tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			b := newBucket(limits, clock.Now)
			if !b.take(tc.spend) {
				t.Fatal("a full bucket refused its size")
			}
			if b.take(int(tc.max) - tc.spend + 1) {
				t.Fatal("bucket gave more than it held")
			}
			clock.Advance(tc.wait)
			st := b.status()
			if st.MaximumAvailable != tc.max || st.RestoreRate != tc.restore || st.CurrentlyAvailable != tc.wantAvailable {
				t.Fatalf("status %+v, want max %v restore %v available %d", st, tc.max, tc.restore, tc.wantAvailable)
			}
		})
	}
	if _, err := limitsFor("Gold"); err == nil {
		t.Fatal("unknown plan accepted")
	}
}

func TestThrottlingRefundsAndRestores(t *testing.T) {
	s := newShop(t, 3, Options{Plan: "Standard"})
	// 249 variants per page with their levels: 2 + 249*4 = 998 points requested.
	query := `query($loc: ID!) { productVariants(first: 249) { nodes { id sku inventoryItem { id inventoryLevel(locationId: $loc) { quantities(names: ["available"]) { name quantity } } } } } }`
	vars := map[string]any{"loc": s.loc}
	// Leave 1,000 of the 2,000 points, so that after the first page's refund a second page
	// no longer fits.
	if !s.srv.bucket.take(2000 - 1000) {
		t.Fatal("a full bucket refused half its size")
	}

	first := do(t, s.srv, query, vars)
	cost := first.Extensions.Cost
	if len(first.Errors) > 0 || cost.RequestedQueryCost != 998 || cost.ActualQueryCost == nil || *cost.ActualQueryCost != 2+3*4 {
		t.Fatalf("first call: errors %+v cost %+v", first.Errors, cost)
	}
	if cost.ThrottleStatus.CurrentlyAvailable != 1000-14 {
		t.Fatalf("unused points not refunded: %+v", cost.ThrottleStatus)
	}

	throttled := do(t, s.srv, query, vars)
	if throttled.errorCode() != "THROTTLED" || throttled.Errors[0].Message != "Throttled" || string(throttled.Data) != "" {
		t.Fatalf("second call not throttled: %+v", throttled)
	}
	if throttled.Extensions.Cost.ActualQueryCost != nil || throttled.Extensions.Cost.RequestedQueryCost != 998 {
		t.Fatalf("throttled cost %+v", throttled.Extensions.Cost)
	}

	s.clock.Advance(time.Second)
	if again := do(t, s.srv, query, vars); len(again.Errors) > 0 {
		t.Fatalf("after restoring: %+v", again.Errors)
	}
	if st := s.srv.Stats(); st.Throttled != 1 || st.PointsSpent != 28 || st.Calls["productVariants"] != 3 {
		t.Fatalf("stats %+v", st)
	}

	tooBig := do(t, s.srv, `{ productVariants(first: 250) { nodes { id inventoryItem { id inventoryLevel(locationId: "x") { quantities(names: ["available"]) { quantity } } } } } }`, nil)
	if tooBig.errorCode() != "MAX_COST_EXCEEDED" {
		t.Fatalf("cost 1002 accepted: %+v", tooBig.Errors)
	}
}

func TestThrottledMutationAppliesNothing(t *testing.T) {
	s := newShop(t, 1, Options{})
	// Drain the bucket: 200 mutations of 10 points at a stopped clock empty its 2,000.
	for i := range 200 {
		r := do(t, s.srv, setMutation, map[string]any{"key": "drain-" + strconv.Itoa(i), "input": setInput(quantity(s.items[0], s.loc, int64(i), nil))})
		if len(r.Errors) > 0 {
			t.Fatalf("call %d: %+v", i, r.Errors)
		}
	}
	r := do(t, s.srv, setMutation, map[string]any{"key": "last", "input": setInput(quantity(s.items[0], s.loc, 500, nil))})
	if r.errorCode() != "THROTTLED" || s.srv.Available(s.items[0], s.loc) != 199 {
		t.Fatalf("throttled mutation: %+v, available %d", r.Errors, s.srv.Available(s.items[0], s.loc))
	}
}
