package shopifytest

import (
	"strconv"
	"testing"
)

func BenchmarkSeedMillionSKUs(b *testing.B) {
	for b.Loop() {
		h, err := NewHandler(Options{})
		if err != nil {
			b.Fatal(err)
		}
		loc := h.AddLocation("Berlin")
		h.SeedSKUs(loc, 1_000_000, func(i int) string { return "SKU-" + strconv.Itoa(i) }, func(i int) int64 { return int64(i % 100) })
		h.Close()
	}
}

func BenchmarkSyncPage(b *testing.B) {
	srv := New(Options{Plan: "Enterprise"})
	defer srv.Close()
	loc := srv.AddLocation("Berlin")
	srv.SeedSKUs(loc, 100_000, func(i int) string { return "SKU-" + strconv.Itoa(i) }, func(i int) int64 { return 5 })
	query := `query($loc: ID!) { productVariants(first: 200) { pageInfo { hasNextPage endCursor } nodes { id sku inventoryItem { id inventoryLevel(locationId: $loc) { quantities(names: ["available"]) { name quantity } } } } } }`
	vars := map[string]any{"loc": loc}
	for b.Loop() {
		if r := do(b, srv, query, vars); len(r.Errors) > 0 {
			b.Fatal(r.Errors)
		}
	}
}

func BenchmarkBulkExportMillion(b *testing.B) {
	h, err := NewHandler(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	loc := h.AddLocation("Berlin")
	h.SeedSKUs(loc, 1_000_000, func(i int) string { return "SKU-" + strconv.Itoa(i) }, func(i int) int64 { return 5 })
	query := `{ productVariants { edges { node { id sku inventoryItem { id inventoryLevel(locationId: "` + loc + `") { quantities(names: ["available"]) { name quantity } } } } } } }`
	for b.Loop() {
		x := &execution{h: h}
		h.store.mu.Lock()
		v, _ := resolveBulkRunQuery(x, nil, nil, map[string]any{"query": query})
		h.store.mu.Unlock()
		op := v.(*bulkRunPayload).op
		h.bulk.wg.Wait()
		if got := h.bulk.snapshot(op.globalID()); got.status != "COMPLETED" || got.objectCount != 1_000_000 {
			b.Fatalf("operation %+v", got)
		}
	}
}
