package shopifytest

import "fmt"

// AddLocation adds an active location and returns its GID.
func (h *Handler) AddLocation(name string) string {
	s := h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	s.locations = append(s.locations, name)
	s.levels = append(s.levels, &locationLevels{})
	return locationGID(len(s.locations) - 1)
}

// AddVariant adds a product with one variant with this SKU, and the variant's inventory item,
// stocked nowhere yet. Several variants may share a SKU.
func (h *Handler) AddVariant(sku string) (variantID, inventoryItemID string) {
	s := h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.addVariantLocked(sku)
	return variantGID(i), itemGID(i)
}

// SetAvailable stocks the item at the location, if it was not, with available quantity q.
// It panics on an unknown item or location: that is a bug in the test.
func (h *Handler) SetAvailable(inventoryItemGID, locationGID string, q int64) {
	s := h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	item, loc := s.mustItem(inventoryItemGID), s.mustLocation(locationGID)
	s.levels[loc].set(item, q)
}

// Available returns the item's available quantity at the location, 0 when not stocked there.
func (h *Handler) Available(inventoryItemGID, locationGID string) int64 {
	s := h.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	item, loc := s.mustItem(inventoryItemGID), s.mustLocation(locationGID)
	return s.levels[loc].get(item)
}

// Stocked reports whether the item has an inventory level at the location, active or not.
func (h *Handler) Stocked(inventoryItemGID, locationGID string) bool {
	s := h.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	item, loc := s.mustItem(inventoryItemGID), s.mustLocation(locationGID)
	return s.levels[loc].isStocked(item)
}

// DeactivateLevel deactivates the item's inventory level at the location, as a merchant does
// when the location stops stocking it. As since 2026-04, the level keeps its quantities and
// can still be written; inventoryLevel and inventoryLevels return it only with
// includeInactive: true, with isActive false; inventoryActivate activates it again. It panics
// when the item is not stocked there.
func (h *Handler) DeactivateLevel(inventoryItemGID, locationGID string) {
	s := h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	item, loc := s.mustItem(inventoryItemGID), s.mustLocation(locationGID)
	if !s.levels[loc].isStocked(item) {
		panic(fmt.Sprintf("shopifytest: %s has no inventory level at %s to deactivate", inventoryItemGID, locationGID))
	}
	s.levels[loc].setActive(item, false)
}

// Active reports whether the item has an active inventory level at the location.
func (h *Handler) Active(inventoryItemGID, locationGID string) bool {
	s := h.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	item, loc := s.mustItem(inventoryItemGID), s.mustLocation(locationGID)
	return s.levels[loc].isActive(item)
}

// SetTracked sets whether the item's inventory is tracked (InventoryItem.tracked); items are
// tracked when added. Shopify does not count an untracked item's quantities: they can be
// written, but nothing sold depends on them.
func (h *Handler) SetTracked(inventoryItemGID string, tracked bool) {
	s := h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	item := s.mustItem(inventoryItemGID)
	if tracked {
		delete(s.untracked, item)
		return
	}
	if s.untracked == nil {
		s.untracked = map[int]bool{}
	}
	s.untracked[item] = true
}

// SetNonMutable makes the item one the API may not adjust, as Shopify documents for a parent
// bundle's: an inventory mutation naming it answers NON_MUTABLE_INVENTORY_ITEM for that entry
// and, the call being all or nothing, applies nothing.
func (h *Handler) SetNonMutable(inventoryItemGID string) {
	s := h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nonMutable == nil {
		s.nonMutable = map[int]bool{}
	}
	s.nonMutable[s.mustItem(inventoryItemGID)] = true
}

// SetBundle makes the variant of the inventory item a bundle's parent, as Shopify's fixed
// bundles are: its requiresComponents reads true, and, its inventory being "determined by the
// inventory of its component variants" (shopify.dev, Add a variant fixed bundle), its item
// is one the API may not adjust (NON_MUTABLE_INVENTORY_ITEM, "Example: if the inventory item
// is a parent bundle", in InventorySetQuantitiesUserErrorCode of 2026-10).
func (h *Handler) SetBundle(inventoryItemGID string) {
	h.SetNonMutable(inventoryItemGID)
	s := h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.requiresComponents == nil {
		s.requiresComponents = map[int]bool{}
	}
	// A variant and its inventory item share an index.
	s.requiresComponents[s.mustItem(inventoryItemGID)] = true
}

// InventoryItemGIDs returns the inventory items of the variants with this SKU, in id order.
func (h *Handler) InventoryItemGIDs(sku string) []string {
	s := h.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for _, i := range s.variantsWithSKU(sku) {
		out = append(out, itemGID(int(i)))
	}
	return out
}

// SeedRange names the variants one SeedSKUs call added.
type SeedRange struct {
	first, n int
}

// Len is the number of variants added.
func (r SeedRange) Len() int { return r.n }

// VariantGID is the GID of the i-th variant added (0-based).
func (r SeedRange) VariantGID(i int) string { return variantGID(r.first + i) }

// InventoryItemGID is the GID of the i-th variant's inventory item (0-based).
func (r SeedRange) InventoryItemGID(i int) string { return itemGID(r.first + i) }

// SeedSKUs adds n variants at once, each with its own product, stocked at the location with
// available(i) units; sku(i) names the i-th one's SKU. It takes a few seconds and some tens of
// MB for a million SKUs.
func (h *Handler) SeedSKUs(locationGID string, n int, sku func(i int) string, available func(i int) int64) SeedRange {
	s := h.store
	s.mu.Lock()
	defer s.mu.Unlock()
	loc := s.mustLocation(locationGID)
	first := len(s.sku)
	s.sku = append(make([]string, 0, first+n), s.sku...)
	s.product = append(make([]int32, 0, first+n), s.product...)
	if len(s.bySKU) == 0 {
		s.bySKU = make(map[string]int32, n)
	}
	levels := s.levels[loc]
	levels.available = append(make([]int64, 0, first+n), levels.available...)
	for len(levels.available) < first {
		levels.available = append(levels.available, 0)
	}
	for i := 0; i < n; i++ {
		idx := s.addVariantLocked(sku(i))
		levels.set(idx, available(i))
	}
	return SeedRange{first: first, n: n}
}

// Adjustment is one applied inventory mutation as the shop's inventory history shows it.
type Adjustment struct {
	// QuantityName is the quantity the mutation set or adjusted: available or on_hand.
	QuantityName string
	Reason       string
	// ReferenceDocumentURI is why the change happened, as the caller named it.
	ReferenceDocumentURI string
	// LedgerDocumentURI is the first change's ledger document (adjustments of on_hand).
	LedgerDocumentURI string
}

// History returns the applied inventory mutations, oldest first.
func (h *Handler) History() []Adjustment {
	s := h.store
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Adjustment(nil), h.history...)
}
