package skumap

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/quick"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/fulfillment"
)

func feed(t *testing.T, levels map[string]int64) *fulfillment.Levels {
	t.Helper()
	var b strings.Builder
	b.WriteString("sku,quantity\n")
	for sku, q := range levels {
		fmt.Fprintf(&b, "%s,%d\n", sku, q)
	}
	l, err := fulfillment.Parse(strings.NewReader(b.String()), v1alpha1.FeedFormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func lookup(levels map[string]int64) func(string) (int64, bool) {
	return func(sku string) (int64, bool) { q, ok := levels[sku]; return q, ok }
}

func TestLevelOf(t *testing.T) {
	for _, tc := range []struct {
		name         string
		components   []Component
		levels       map[string]int64
		want         int64
		wantLimiting int
	}{
		{"alias shows its SKU's level", []Component{{"TS-M", 1}}, map[string]int64{"TS-M": 17}, 17, 0},
		{"six-pack rounds down", []Component{{"CAN", 6}}, map[string]int64{"CAN": 20}, 3, 0},
		{"six-pack short of one pack", []Component{{"CAN", 6}}, map[string]int64{"CAN": 5}, 0, 0},
		{"kit limited by its second component", []Component{{"MUG", 1}, {"TEA", 2}}, map[string]int64{"MUG": 10, "TEA": 7}, 3, 1},
		{"kit limited by its first component", []Component{{"MUG", 1}, {"TEA", 2}}, map[string]int64{"MUG": 2, "TEA": 70}, 2, 0},
		{"tie names the first component", []Component{{"A", 2}, {"B", 3}}, map[string]int64{"A": 8, "B": 12}, 4, 0},
		{"missing component counts 0", []Component{{"MUG", 1}, {"TEA", 1}}, map[string]int64{"MUG": 9}, 0, 1},
		{"negative component counts 0", []Component{{"MUG", 1}, {"TEA", 1}}, map[string]int64{"MUG": 9, "TEA": -4}, 0, 1},
		{"missing alias target is 0", []Component{{"TS-M", 1}}, map[string]int64{}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, limiting := LevelOf(tc.components, lookup(tc.levels))
			if got != tc.want || limiting != tc.wantLimiting {
				t.Errorf("LevelOf = %d limited by %d, want %d limited by %d", got, limiting, tc.want, tc.wantLimiting)
			}
		})
	}
}

func TestShow(t *testing.T) {
	rows := []Row{
		{"SHOP-TEE-M", "TS-M", 1, 2, ""}, // alias
		{"GIFT-BOX", "MUG", 1, 3, ""},    // kit of two
		{"GIFT-BOX", "TEA", 2, 4, ""},
		{"MUG", "MUG", 1, 5, ""},           // the mug also sold alone
		{"SIX-PACK", "CAN", 6, 6, ""},      // pack
		{"GHOST", "NOT-IN-FEED", 1, 7, ""}, // no warehouse SKU in the feed: not read
	}
	levels := map[string]int64{"TS-M": 12, "MUG": 10, "TEA": 7, "CAN": 20, "SOCK": 4}
	for _, tc := range []struct {
		unmapped Unmapped
		want     map[string]int64
		counts   Counts
	}{
		{UnmappedSelf,
			map[string]int64{"SHOP-TEE-M": 12, "GIFT-BOX": 3, "MUG": 10, "SIX-PACK": 3, "SOCK": 4},
			Counts{WarehouseSKUs: 5, Kits: 2, Aliases: 2, Unmapped: 1}},
		{UnmappedSkip,
			map[string]int64{"SHOP-TEE-M": 12, "GIFT-BOX": 3, "MUG": 10, "SIX-PACK": 3},
			Counts{WarehouseSKUs: 5, Kits: 2, Aliases: 2, SkippedUnmapped: 1}},
	} {
		t.Run(string(tc.unmapped), func(t *testing.T) {
			m, err := New(rows, tc.unmapped)
			if err != nil {
				t.Fatal(err)
			}
			shown, counts, err := m.Show(feed(t, levels))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for sku, q := range shown.All() {
				got[sku] = q
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("shown %v, want %v", got, tc.want)
			}
			if counts != tc.counts {
				t.Errorf("counts %+v, want %+v", counts, tc.counts)
			}
			if counts.Kits+counts.Aliases+counts.Unmapped != int64(shown.Len()) {
				t.Errorf("kits + aliases + unmapped = %d, shown %d", counts.Kits+counts.Aliases+counts.Unmapped, shown.Len())
			}
		})
	}
}

// TestKitNeverShowsMoreThanAComponentAllows is the rule's safety law: selling every unit a
// kit shows never takes more of a component than the warehouse holds, and one more unit
// would (the kit shows as much as it can).
func TestKitNeverShowsMoreThanAComponentAllows(t *testing.T) {
	law := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, seed>>7))
		n := 1 + r.IntN(6)
		comps := make([]Component, n)
		levels := map[string]int64{}
		for k := range comps {
			sku := fmt.Sprintf("W%d", k)
			comps[k] = Component{sku, 1 + r.Int64N(MaxQuantity)}
			if r.IntN(4) == 0 {
				comps[k].Quantity = 1 + r.Int64N(12)
			}
			if r.IntN(10) > 0 { // sometimes missing from the feed
				levels[sku] = r.Int64N(1_000_000_001)
			}
		}
		shown, limiting := LevelOf(comps, lookup(levels))
		if shown < 0 {
			return false
		}
		for _, c := range comps {
			if shown*c.Quantity > levels[c.WarehouseSKU] {
				return false
			}
		}
		lim := comps[limiting]
		return (shown+1)*lim.Quantity > levels[lim.WarehouseSKU]
	}
	if err := quick.Check(law, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
}

// TestKitNeverIncreasesWhenAComponentFalls: a component's level going down never makes a
// kit show more.
func TestKitNeverIncreasesWhenAComponentFalls(t *testing.T) {
	law := func(a, b uint32, qa, qb uint16, drop uint32) bool {
		comps := []Component{{"A", int64(qa%500) + 1}, {"B", int64(qb%500) + 1}}
		before, _ := LevelOf(comps, lookup(map[string]int64{"A": int64(a), "B": int64(b)}))
		after, _ := LevelOf(comps, lookup(map[string]int64{"A": int64(a) - int64(min(drop, a)), "B": int64(b)}))
		return after <= before
	}
	if err := quick.Check(law, nil); err != nil {
		t.Error(err)
	}
}
