package shopifytest

import (
	"strconv"
	"strings"
)

// Numeric ids are an index into the store plus a base per resource type, so a variant id
// passed where an inventory item id is expected finds nothing, as on Shopify.
const (
	productBase       = 7_000_000_000_000
	variantBase       = 4_000_000_000_000
	itemBase          = 5_000_000_000_000
	locationBase      = 6_000_000_000
	bulkOperationBase = 3_000_000_000
	adjustmentBase    = 8_000_000_000_000
	gidPrefix         = "gid://shopify/"
)

// gid renders a global id such as gid://shopify/InventoryItem/5000000000001.
func gid(resource string, base int64, index int) string {
	return gidPrefix + resource + "/" + strconv.FormatInt(base+int64(index)+1, 10)
}

// parseGID returns the store index of id when it names resource, and false otherwise.
// Query parameters (InventoryLevel ids carry one) are ignored.
func parseGID(id, resource string, base int64) (int, bool) {
	rest, ok := strings.CutPrefix(id, gidPrefix+resource+"/")
	if !ok {
		return 0, false
	}
	rest, _, _ = strings.Cut(rest, "?")
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || n <= base {
		return 0, false
	}
	return int(n - base - 1), true
}

// gidResource returns the resource name of a global id ("ProductVariant", ...).
func gidResource(id string) string {
	rest, ok := strings.CutPrefix(id, gidPrefix)
	if !ok {
		return ""
	}
	resource, _, _ := strings.Cut(rest, "/")
	return resource
}

func variantGID(i int) string  { return gid("ProductVariant", variantBase, i) }
func itemGID(i int) string     { return gid("InventoryItem", itemBase, i) }
func productGID(i int) string  { return gid("Product", productBase, i) }
func locationGID(i int) string { return gid("Location", locationBase, i) }

// levelGID follows Shopify's InventoryLevel id shape, which names the item in a query.
func levelGID(item, loc int) string {
	return gid("InventoryLevel", locationBase, loc) + "?inventory_item_id=" + strconv.FormatInt(itemBase+int64(item)+1, 10)
}
