package syncbench

import (
	"bytes"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/skumap"
)

// The mapped benchmarks' catalog shows every channel SKU at the level asked, and nothing else.
func TestMappedCatalogShowsTheLevelsAsked(t *testing.T) {
	const n = 1000
	for name, kind := range map[string]func(int) skuKind{"kits": everyFifthAKit, "kits and aliases": kitOrAliasEveryTwentieth} {
		t.Run(name, func(t *testing.T) {
			feed, rows := mappedCatalog(n, kind, oneAboveStore)
			levels, err := fulfillment.Parse(bytes.NewReader(feed), v1alpha1.FeedFormatCSV)
			if err != nil {
				t.Fatal(err)
			}
			mapping, err := skumap.ParseCSV(bytes.NewReader(rows), skumap.UnmappedSelf)
			if err != nil {
				t.Fatal(err)
			}
			shown, _, err := mapping.Show(levels)
			if err != nil {
				t.Fatal(err)
			}
			if shown.Len() != n {
				t.Fatalf("%d channel SKUs shown, want %d", shown.Len(), n)
			}
			for i := range n {
				if got, ok := shown.Lookup(benchSKU(i)); !ok || got != oneAboveStore(i) {
					t.Errorf("%s shows %d (listed %v), want %d", benchSKU(i), got, ok, oneAboveStore(i))
				}
			}
		})
	}
}
