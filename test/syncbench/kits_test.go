package syncbench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/skumap"
)

// skuKind is what a channel SKU of a mapped catalog is made of.
type skuKind int

const (
	// unmapped shows the feed's level of the same SKU.
	unmapped skuKind = iota
	// kit shows how many kits its kitComponents make.
	kit
	// alias shows the level of its warehouse SKU, aliasSKU.
	alias
)

// kitComponents is how many units of each of its three warehouse SKUs a kit needs.
var kitComponents = [...]int64{1, 2, 3}

// componentSKU is the j-th warehouse SKU of the kit sold as the i-th channel SKU.
func componentSKU(i, j int) string { return fmt.Sprintf("PART-%07d-%d", i, j) }

// aliasSKU is the warehouse SKU of the alias sold as the i-th channel SKU.
func aliasSKU(i int) string { return fmt.Sprintf("WH-%07d", i) }

// mappedCatalog renders, for n channel SKUs where the i-th is kind(i) and must show
// shown(i), the CSV feed of the warehouse SKUs and the CSV mapping's rows. A component
// holds the most units that still make exactly shown(i) kits, so a rule that rounded up
// would show one more.
func mappedCatalog(n int, kind func(i int) skuKind, shown func(i int) int64) (feed, rows []byte) {
	var f, m bytes.Buffer
	f.WriteString("sku,quantity\n")
	m.WriteString("channelSKU,warehouseSKU,quantity\n")
	for i := range n {
		switch kind(i) {
		case kit:
			for j, per := range kitComponents {
				fmt.Fprintf(&f, "%s,%d\n", componentSKU(i, j), per*shown(i)+per-1)
				fmt.Fprintf(&m, "%s,%s,%d\n", benchSKU(i), componentSKU(i, j), per)
			}
		case alias:
			fmt.Fprintf(&f, "%s,%d\n", aliasSKU(i), shown(i))
			fmt.Fprintf(&m, "%s,%s,1\n", benchSKU(i), aliasSKU(i))
		default:
			fmt.Fprintf(&f, "%s,%d\n", benchSKU(i), shown(i))
		}
	}
	return f.Bytes(), m.Bytes()
}

// oneAboveStore is the level every SKU of the mapped runs shows: one above the store's, so
// every SKU is written.
func oneAboveStore(i int) int64 { return storeQuantity(i) + 1 }

// everyFifthAKit makes 20% of the channel SKUs kits of three components.
func everyFifthAKit(i int) skuKind {
	if i%5 == 0 {
		return kit
	}
	return unmapped
}

// BenchmarkSync100kKits syncs 100,000 channel SKUs that all differ, 20% of them kits of
// three components mapped from 60,000 warehouse SKUs, and reports the run's length against
// the rate-limit floor, as BenchmarkSync100kAllDifferent does.
func BenchmarkSync100kKits(b *testing.B) {
	feed, rows := mappedCatalog(skus100k, everyFifthAKit, oneAboveStore)
	mapping, err := skumap.ParseCSV(bytes.NewReader(rows), skumap.UnmappedSelf)
	if err != nil {
		b.Fatal(err)
	}
	if kits, _ := mapping.Kinds(); kits != skus100k/5 {
		b.Fatalf("the mapping has %d kits, want %d", kits, skus100k/5)
	}
	for range b.N {
		run := runFeedAgainstStandard(b, feed, allocation.Rules{}, mapping)
		counts := run.report.Result.SKUs
		if written := run.shop.Stats().ItemsWritten; counts.Updated != skus100k || written != skus100k {
			b.Fatalf("want %d updated and written, got result %+v and %d items written", skus100k, counts, written)
		}
		reportFloorRatio(b, run, fmt.Sprintf("all different, 20%% kits of 3 components (%d mapping rows)", mapping.Rows()))
		run.shop.AssertNoErrors(b)
		run.shop.Close()
	}
}

// Shape of the mapped million-SKU run: one channel SKU in twenty a kit of three components
// and one in twenty an alias, 150,000 + 50,000 mapping rows.
const mappingRows1M = 200_000

func kitOrAliasEveryTwentieth(i int) skuKind {
	switch i % 20 {
	case 0:
		return kit
	case 1:
		return alias
	}
	return unmapped
}

// BenchmarkSync1MMappedPeakMemory runs the sync binary on a million channel SKUs, all
// different, read through a mapping of 200,000 rows (50,000 kits of three components and
// 50,000 aliases) from its file, and reports the child's peak resident set size.
func BenchmarkSync1MMappedPeakMemory(b *testing.B) {
	bin := buildOperator(b)
	feed, rows := mappedCatalog(skus1M, kitOrAliasEveryTwentieth, oneAboveStore)
	if got := bytes.Count(rows, []byte("\n")) - 1; got != mappingRows1M {
		b.Fatalf("the mapping has %d rows, want %d", got, mappingRows1M)
	}
	mappingFile := filepath.Join(b.TempDir(), "mapping.csv")
	if err := os.WriteFile(mappingFile, rows, 0o600); err != nil {
		b.Fatal(err)
	}
	for range b.N {
		syncPeakMemory(b, bin, fmt.Sprintf("one feed through a %d-row mapping", mappingRows1M), [][]byte{feed}, nil, mappingFile)
	}
}
