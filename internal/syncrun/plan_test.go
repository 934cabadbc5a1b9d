package syncrun

import (
	"slices"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/fulfillment"
)

// parseLevels builds levels from "sku=quantity" pairs.
func parseLevels(t testing.TB, pairs ...string) *fulfillment.Levels {
	t.Helper()
	var b strings.Builder
	b.WriteString("sku,quantity\n")
	for _, p := range pairs {
		b.WriteString(strings.Replace(p, "=", ",", 1) + "\n")
	}
	levels, err := fulfillment.Parse(strings.NewReader(b.String()), v1alpha1.FeedFormatCSV)
	if err != nil {
		t.Fatalf("parsing levels: %v", err)
	}
	return levels
}

func sealedCatalog(t testing.TB, levels *fulfillment.Levels, items []channel.Item) *catalog {
	t.Helper()
	cat := newCatalog(levels)
	for _, item := range items {
		if err := cat.add(item); err != nil {
			t.Fatal(err)
		}
	}
	cat.seal()
	return cat
}

func TestPlan(t *testing.T) {
	item := func(id, sku string, q int64) channel.Item { return channel.Item{ID: id, SKU: sku, Quantity: q} }
	untracked := func(id, sku string, q int64) channel.Item {
		return channel.Item{ID: id, SKU: sku, Quantity: q, Untracked: true}
	}
	unstocked := func(id, sku string) channel.Item { return channel.Item{ID: id, SKU: sku, NotStocked: true} }
	tests := []struct {
		name   string
		feed   []string
		items  []channel.Item
		policy v1alpha1.DuplicateSKUPolicy
		stock  bool
		// want counts and the ids of the items to write, in order.
		unchanged, skipped, notFound, untracked, notStocked int64
		writes                                              []string
	}{{
		name:   "an untracked item is counted and never written",
		feed:   []string{"A=5", "B=1"},
		items:  []channel.Item{untracked("1", "A", 3), item("2", "B", 0)},
		policy: v1alpha1.DuplicateSKUsSkip, untracked: 1, writes: []string{"2"},
	}, {
		name:   "an item not stocked at the location is counted and not written",
		feed:   []string{"A=5"},
		items:  []channel.Item{unstocked("1", "A")},
		policy: v1alpha1.DuplicateSKUsSkip, notStocked: 1,
	}, {
		name:   "an item not stocked at the location is written when the channel stocks items",
		feed:   []string{"A=5"},
		items:  []channel.Item{unstocked("1", "A")},
		policy: v1alpha1.DuplicateSKUsSkip, stock: true, writes: []string{"1"},
	}, {
		name:   "UpdateAll writes the tracked items of a SKU and leaves the untracked ones",
		feed:   []string{"A=5"},
		items:  []channel.Item{untracked("1", "A", 0), item("2", "A", 0), unstocked("3", "A")},
		policy: v1alpha1.DuplicateSKUsUpdateAll, writes: []string{"2"},
	}, {
		name:   "a SKU with untracked and unstocked items counts as not stocked",
		feed:   []string{"A=5"},
		items:  []channel.Item{untracked("1", "A", 0), unstocked("2", "A")},
		policy: v1alpha1.DuplicateSKUsUpdateAll, notStocked: 1,
	}, {
		name:   "an item showing the feed's quantity is unchanged",
		feed:   []string{"A=5"},
		items:  []channel.Item{item("1", "A", 5)},
		policy: v1alpha1.DuplicateSKUsSkip, unchanged: 1,
	}, {
		name:   "an item showing another quantity is written",
		feed:   []string{"A=5"},
		items:  []channel.Item{item("1", "A", 3)},
		policy: v1alpha1.DuplicateSKUsSkip, writes: []string{"1"},
	}, {
		name:   "a SKU without an item is not found",
		feed:   []string{"A=5", "B=1"},
		items:  []channel.Item{item("1", "A", 5)},
		policy: v1alpha1.DuplicateSKUsSkip, unchanged: 1, notFound: 1,
	}, {
		name:   "items of SKUs outside the feed are left alone",
		feed:   []string{"A=5"},
		items:  []channel.Item{item("1", "A", 5), item("2", "Z", 0)},
		policy: v1alpha1.DuplicateSKUsSkip, unchanged: 1,
	}, {
		name:   "Skip counts a shared SKU once and writes none of its items",
		feed:   []string{"A=5", "B=2"},
		items:  []channel.Item{item("1", "A", 0), item("2", "A", 1), item("3", "A", 5), item("4", "B", 0)},
		policy: v1alpha1.DuplicateSKUsSkip, skipped: 1, writes: []string{"4"},
	}, {
		name:   "Skip also skips a shared SKU whose items all show the feed's quantity",
		feed:   []string{"A=5"},
		items:  []channel.Item{item("1", "A", 5), item("2", "A", 5)},
		policy: v1alpha1.DuplicateSKUsSkip, skipped: 1,
	}, {
		name:   "UpdateAll writes every item of a shared SKU that differs",
		feed:   []string{"A=5"},
		items:  []channel.Item{item("3", "A", 0), item("1", "A", 5), item("2", "A", 1)},
		policy: v1alpha1.DuplicateSKUsUpdateAll, writes: []string{"2", "3"},
	}, {
		name:   "UpdateAll counts a shared SKU already right as unchanged",
		feed:   []string{"A=5"},
		items:  []channel.Item{item("1", "A", 5), item("2", "A", 5)},
		policy: v1alpha1.DuplicateSKUsUpdateAll, unchanged: 1,
	}, {
		name:   "an item listed twice by the channel is not a duplicate",
		feed:   []string{"A=5"},
		items:  []channel.Item{item("gid://shopify/InventoryItem/1", "A", 2), item("gid://shopify/InventoryItem/1", "A", 2)},
		policy: v1alpha1.DuplicateSKUsSkip, writes: []string{"gid://shopify/InventoryItem/1"},
	}, {
		name: "writes follow SKU order",
		feed: []string{"C=1", "A=1", "B=1"},
		items: []channel.Item{item("c", "C", 0), item("a", "A", 0),
			item("b", "B", 0)},
		policy: v1alpha1.DuplicateSKUsSkip, writes: []string{"a", "b", "c"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			levels := parseLevels(t, tt.feed...)
			cat := sealedCatalog(t, levels, tt.items)
			got := makePlan(cat, tt.policy, tt.stock)
			if got.read != int64(len(tt.feed)) || got.unchanged != tt.unchanged || got.skippedDuplicates != tt.skipped || got.notFound != tt.notFound ||
				got.untracked != tt.untracked || got.notStocked != tt.notStocked {
				t.Errorf("counts read=%d unchanged=%d skipped=%d notFound=%d untracked=%d notStocked=%d, want %d %d %d %d %d %d",
					got.read, got.unchanged, got.skippedDuplicates, got.notFound, got.untracked, got.notStocked,
					len(tt.feed), tt.unchanged, tt.skipped, tt.notFound, tt.untracked, tt.notStocked)
			}
			var ids []string
			for _, i := range got.pending {
				ids = append(ids, cat.id(i))
			}
			if !slices.Equal(ids, tt.writes) {
				t.Errorf("writes %q, want %q", ids, tt.writes)
			}
		})
	}
}
