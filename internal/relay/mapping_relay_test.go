package relay

import (
	"slices"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// mappedShop is a Shopify channel whose catalog mapping (catalogCSV, in a ConfigMap) lists
// GIFT-BOX (one MUG, two TEA), MUG sold alone and SHOP-TEE-M for TS-M, with an item for each
// channel SKU at its location.
type mappedShop struct {
	*testChannel
	items map[string]string
}

func (e *testEnv) addMappedShop(mode v1alpha1.InventoryMode) *mappedShop {
	c := e.addChannel("shop", v1alpha1.PlatformShopify, mode, "")
	e.dir.SetConfigMap(testNamespace, "catalog", map[string]string{"rows.csv": catalogCSV})
	e.scope.Channels = slices.Clone(e.scope.Channels)
	e.scope.Channels[len(e.scope.Channels)-1].Spec.Inventory.Mapping = &v1alpha1.CatalogMapping{
		ConfigMapRef: &v1alpha1.ConfigMapKeySelector{Name: "catalog", Key: "rows.csv"}}
	e.dir.Set(e.scope)
	m := &mappedShop{testChannel: c, items: map[string]string{}}
	for _, sku := range []string{"GIFT-BOX", "MUG", "SHOP-TEE-M"} {
		_, m.items[sku] = e.shop.AddVariant(sku)
		e.shop.SetAvailable(m.items[sku], c.location, initialQuantity)
	}
	return m
}

func (m *mappedShop) shows(e *testEnv, sku string) int64 {
	return e.shop.Available(m.items[sku], m.location)
}

// resultFor finds an event's result for a channel SKU.
func resultFor(t *testing.T, er EventResult, sku string) ChannelResult {
	t.Helper()
	for _, cr := range er.Channels {
		if cr.SKU == sku {
			return cr
		}
	}
	t.Fatalf("event %s has no result for channel SKU %q: %+v", er.ID, sku, er.Channels)
	return ChannelResult{}
}

// TestMappedEventsThroughTheAPI: with the real ledger and the fake Shopify, an increment on
// TS-M moves its alias SHOP-TEE-M; a level of TEA is known to the ledger, so a later level
// of MUG moves GIFT-BOX to min(MUG, floor(TEA / 2)) with compare-and-swap (the item moves
// once in between, and the kit still lands on its level), and MUG, sold alone, takes the
// event as it is.
func TestMappedEventsThroughTheAPI(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	shop := e.addMappedShop(v1alpha1.ModeSynchronizeWithFulfillmentChannel)

	resp := e.postOne(Event{ID: "tee", Trigger: TriggerAPIBulkUpdate, SKU: "TS-M", FulfillmentChannel: testWarehouse, QuantityBefore: ptr(100), QuantityAfter: ptr(12)})
	if r := resultFor(t, resp.Results[0], "SHOP-TEE-M"); r.Status != StatusPushed || *r.Quantity != 12 {
		t.Errorf("alias: %+v, want Pushed 12", r)
	}
	if got := shop.shows(e, "SHOP-TEE-M"); got != 12 {
		t.Errorf("SHOP-TEE-M shows %d, want 12", got)
	}

	// TEA is only in the kit: its level is recorded, and the kit waits for MUG's.
	resp = e.postOne(Event{ID: "tea", Trigger: TriggerAPIBulkUpdate, SKU: "TEA", FulfillmentChannel: testWarehouse, QuantityBefore: ptr(0), QuantityAfter: ptr(7)})
	if r := resultFor(t, resp.Results[0], "GIFT-BOX"); r.Status != StatusNotApplicable || r.Reason != ReasonKitNeedsLevels || !strings.Contains(r.Message, `"MUG"`) {
		t.Errorf("kit without MUG's level: %+v, want NotApplicable/KitNeedsLevels naming MUG", r)
	}
	if got := shop.shows(e, "GIFT-BOX"); got != initialQuantity {
		t.Errorf("GIFT-BOX moved to %d without MUG's level", got)
	}

	adjusts := e.shop.Stats().Calls["inventoryAdjustQuantities"]
	e.shop.MakeStale(shop.items["GIFT-BOX"])
	resp = e.postOne(Event{ID: "mug", Trigger: TriggerAPIBulkUpdate, SKU: "MUG", FulfillmentChannel: testWarehouse, QuantityBefore: ptr(100), QuantityAfter: ptr(10)})
	kit := resultFor(t, resp.Results[0], "GIFT-BOX")
	if kit.Status != StatusPushed || kit.Quantity == nil || *kit.Quantity != 3 {
		t.Errorf("kit: %+v, want Pushed with quantity 3 = min(10, floor(7 / 2))", kit)
	}
	if got := shop.shows(e, "GIFT-BOX"); got != 3 {
		t.Errorf("GIFT-BOX shows %d, want 3", got)
	}
	// The kit is written with compare-and-swap: the stale write and the one after a new read.
	if got := e.shop.Stats().Calls["inventoryAdjustQuantities"] - adjusts; got != 2 {
		t.Errorf("%d compare-and-swap writes for the kit, want 2", got)
	}
	if r := resultFor(t, resp.Results[0], ""); r.Status != StatusPushed || *r.Quantity != 10 {
		t.Errorf("MUG sold alone: %+v, want Pushed 10", r)
	}
	if got := shop.shows(e, "MUG"); got != 10 {
		t.Errorf("MUG shows %d, want 10", got)
	}

	// The answers are kept per channel SKU: asking again reads the same outcomes.
	out, found, err := e.svc.Outcome(t.Context(), "mug")
	if err != nil || !found || len(out.Channels) != 2 {
		t.Fatalf("outcome of mug: %+v, %v, %v", out, found, err)
	}
	if r := resultFor(t, out, "GIFT-BOX"); r.Status != StatusPushed {
		t.Errorf("recorded kit outcome %+v", r)
	}
}

// TestKitWithoutKnownLevels: an increment on a component leaves its level unknown, so a kit
// that needs it answers KitNeedsLevels, names it, and is left to the next full sync, while
// the component sold alone takes the increment.
func TestKitWithoutKnownLevels(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	shop := e.addMappedShop(v1alpha1.ModeRealTimeAdjustment)
	e.postOne(Event{ID: "tea", Trigger: TriggerAPIBulkUpdate, SKU: "TEA", FulfillmentChannel: testWarehouse, QuantityBefore: ptr(0), QuantityAfter: ptr(7)})
	// An order of MUG without levels: MUG's level is unknown from now on.
	e.postOne(Event{ID: "order", Trigger: TriggerAdjustInventoryManually, SKU: "MUG", FulfillmentChannel: testWarehouse, Increment: ptr(-1)})
	if got := shop.shows(e, "MUG"); got != initialQuantity-1 {
		t.Errorf("MUG shows %d, want %d", got, initialQuantity-1)
	}
	// A level of TEA now finds no level of MUG.
	resp := e.postOne(Event{ID: "tea-2", Trigger: TriggerAPIBulkUpdate, SKU: "TEA", FulfillmentChannel: testWarehouse, QuantityBefore: ptr(7), QuantityAfter: ptr(9)})
	r := resultFor(t, resp.Results[0], "GIFT-BOX")
	if r.Status != StatusNotApplicable || r.Reason != ReasonKitNeedsLevels || !strings.Contains(r.Message, `"MUG"`) {
		t.Errorf("kit: %+v, want NotApplicable/KitNeedsLevels naming MUG", r)
	}
	if got := shop.shows(e, "GIFT-BOX"); got != initialQuantity {
		t.Errorf("GIFT-BOX moved to %d", got)
	}
}

// TestMappedLevelsKeepTheirSequence: levels of a warehouse SKU are ordered by their sequence
// under its alias too: an older level is superseded for the channel SKU it reaches.
func TestMappedLevelsKeepTheirSequence(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	shop := e.addMappedShop(v1alpha1.ModeSynchronizeWithFulfillmentChannel)
	level := func(id string, seq, after int64) Event {
		return Event{ID: id, Trigger: TriggerAPIBulkUpdate, SKU: "TS-M", FulfillmentChannel: testWarehouse, QuantityBefore: ptr(0), QuantityAfter: ptr(after), Sequence: ptr(seq)}
	}
	e.postOne(level("new", 5, 12))
	resp := e.postOne(level("old", 4, 30))
	if r := resultFor(t, resp.Results[0], "SHOP-TEE-M"); r.Status != StatusNotApplicable || r.Reason != ReasonSuperseded {
		t.Errorf("older level: %+v, want NotApplicable/Superseded", r)
	}
	if got := shop.shows(e, "SHOP-TEE-M"); got != 12 {
		t.Errorf("SHOP-TEE-M shows %d, want 12", got)
	}
}
