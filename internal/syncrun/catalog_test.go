package syncrun

import (
	"testing"

	"github.com/techoms/inventory-operator/internal/channel"
)

func TestCatalogSharesIDPrefixesAndFindsItems(t *testing.T) {
	levels := parseLevels(t, "A=1", "B=2")
	items := []channel.Item{
		{ID: "gid://shopify/InventoryItem/20", SKU: "B", Quantity: 1},
		{ID: "gid://shopify/InventoryItem/3", SKU: "A", Quantity: 7},
		{ID: "plain", SKU: "A", Quantity: 8},
		{ID: "gid://shopify/InventoryItem/100", SKU: "A", Quantity: 9},
	}
	cat := sealedCatalog(t, levels, items)
	if got := len(cat.prefixes); got != 2 {
		t.Errorf("%d prefixes, want the empty one and the GID one", got)
	}
	for _, item := range items {
		k, _ := levelIndex(levels, item.SKU)
		i, ok := cat.find(uint32(k), item.ID)
		if !ok {
			t.Fatalf("item %s not found", item.ID)
		}
		if cat.id(i) != item.ID || cat.quantity[i] != item.Quantity || cat.sku(i).SKU != item.SKU {
			t.Errorf("item %s reads back as %s, %s, %d", item.ID, cat.id(i), cat.sku(i).SKU, cat.quantity[i])
		}
	}
	if _, ok := cat.find(0, "gid://shopify/InventoryItem/2"); ok {
		t.Error("found an item that does not exist")
	}
	if _, ok := cat.find(0, "gid://shop"); ok {
		t.Error("found an item by a part of a prefix")
	}
	// Within SKU A the order is by id, byte-wise.
	want := []string{"gid://shopify/InventoryItem/100", "gid://shopify/InventoryItem/3", "plain"}
	for n, id := range want {
		if got := cat.id(cat.order[n]); got != id {
			t.Errorf("order[%d] = %s, want %s", n, got, id)
		}
	}
}
