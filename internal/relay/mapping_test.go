package relay

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/skumap"
)

// fakeInputs holds the mappings and known levels of a planning test.
type fakeInputs struct {
	mappings map[string]*skumap.Mapping
	levels   map[string]int64
}

func (f fakeInputs) mapping(namespace string, ref v1alpha1.ConfigMapKeySelector, _ v1alpha1.UnmappedSKUs) (*skumap.Mapping, error) {
	m, ok := f.mappings[namespace+"/"+ref.Name+"/"+ref.Key]
	if !ok {
		return nil, errors.New("ConfigMap " + ref.Name + " does not exist")
	}
	return m, nil
}

func (f fakeInputs) knownLevel(fulfillmentChannel, sku string) (int64, bool) {
	q, ok := f.levels[fulfillmentChannel+"/"+sku]
	return q, ok
}

const catalogCSV = "channelSKU,warehouseSKU,quantity\nSHOP-TEE-M,TS-M,1\nGIFT-BOX,MUG,1\nGIFT-BOX,TEA,2\nMUG,MUG,1\nSIX-PACK,CAN,6\n"

func catalog(t *testing.T, unmapped skumap.Unmapped) *skumap.Mapping {
	t.Helper()
	m, err := skumap.ParseCSV(strings.NewReader(catalogCSV), unmapped)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// planned is one target as a planning test compares it.
type planned struct {
	sku       string
	status    Status // empty: written
	reason    string
	quantity  int64
	allocated bool
}

func (p planned) String() string {
	return fmt.Sprintf("%s %s/%s %d allocated=%v", p.sku, p.status, p.reason, p.quantity, p.allocated)
}

// TestPlanMapsEventsToChannelSKUs plans events on warehouse SKUs through a catalog mapping
// into what each channel SKU receives: an alias the event as it is, a kit the level its
// components allow (written as an allocation target), or a reason why nothing is written.
func TestPlanMapsEventsToChannelSKUs(t *testing.T) {
	ref := &v1alpha1.CatalogMapping{ConfigMapRef: &v1alpha1.ConfigMapKeySelector{Name: "catalog", Key: "rows.csv"}}
	skipRef := &v1alpha1.CatalogMapping{ConfigMapRef: &v1alpha1.ConfigMapKeySelector{Name: "catalog-skip", Key: "rows.csv"}, Unmapped: v1alpha1.UnmappedSkip}
	feedRef := &v1alpha1.CatalogMapping{Feed: &v1alpha1.FeedSource{URL: "https://pim.invalid/catalog.csv"}}
	missingRef := &v1alpha1.CatalogMapping{ConfigMapRef: &v1alpha1.ConfigMapKeySelector{Name: "absent", Key: "rows.csv"}}
	in := fakeInputs{
		mappings: map[string]*skumap.Mapping{
			testNamespace + "/catalog/rows.csv":      catalog(t, skumap.UnmappedSelf),
			testNamespace + "/catalog-skip/rows.csv": catalog(t, skumap.UnmappedSkip),
		},
		levels: map[string]int64{testWarehouse + "/TEA": 7, testWarehouse + "/CAN-OTHER": 1},
	}
	levels := func(sku string, before, after int64) Event {
		return Event{ID: "e", Trigger: TriggerAPIBulkUpdate, SKU: sku, FulfillmentChannel: testWarehouse, QuantityBefore: ptr(before), QuantityAfter: ptr(after)}
	}
	inc := func(sku string, n int64) Event {
		return Event{ID: "e", Trigger: TriggerReceiveReceipt, SKU: sku, FulfillmentChannel: testWarehouse, Increment: ptr(n)}
	}
	buffer1 := &v1alpha1.AllocationRules{Buffer: ptr(1)}
	for _, tc := range []struct {
		name    string
		mapping *v1alpha1.CatalogMapping
		mode    v1alpha1.InventoryMode
		rules   *v1alpha1.AllocationRules
		event   Event
		want    []planned
	}{
		{"no mapping: the event's own SKU", nil, v1alpha1.ModeRealTimeAdjustment, nil, inc("TS-M", 3),
			[]planned{{sku: "TS-M", quantity: 3}}},
		{"alias takes an increment as it is", ref, v1alpha1.ModeRealTimeAdjustment, nil, inc("TS-M", 3),
			[]planned{{sku: "SHOP-TEE-M", quantity: 3}}},
		{"alias takes a level as it is", ref, v1alpha1.ModeSynchronizeWithFulfillmentChannel, nil, levels("TS-M", 9, 12),
			[]planned{{sku: "SHOP-TEE-M", quantity: 12}}},
		{"kit with every level known, and the component sold alone", ref, v1alpha1.ModeSynchronizeWithFulfillmentChannel, nil, levels("MUG", 4, 10),
			[]planned{{sku: "GIFT-BOX", quantity: 3, allocated: true}, {sku: "MUG", quantity: 10}}},
		{"kit limited by the event's component", ref, v1alpha1.ModeRealTimeAdjustment, nil, levels("MUG", 4, 2),
			[]planned{{sku: "GIFT-BOX", quantity: 2, allocated: true}, {sku: "MUG", quantity: -2}}},
		{"kit, then allocation rules", ref, v1alpha1.ModeSynchronizeWithFulfillmentChannel, buffer1, levels("MUG", 4, 10),
			[]planned{{sku: "GIFT-BOX", quantity: 2, allocated: true}, {sku: "MUG", quantity: 9, allocated: true}}},
		{"pack of one component needs no other level", ref, v1alpha1.ModeSynchronizeWithFulfillmentChannel, nil, levels("CAN", 0, 20),
			[]planned{{sku: "SIX-PACK", quantity: 3, allocated: true}}},
		{"kit missing a component's level", ref, v1alpha1.ModeSynchronizeWithFulfillmentChannel, nil, levels("TEA", 9, 8),
			[]planned{{sku: "GIFT-BOX", status: StatusNotApplicable, reason: ReasonKitNeedsLevels}}},
		{"kit from an increment", ref, v1alpha1.ModeRealTimeAdjustment, nil, inc("MUG", -1),
			[]planned{{sku: "GIFT-BOX", status: StatusNotApplicable, reason: ReasonKitNeedsLevels}, {sku: "MUG", quantity: -1}}},
		{"unmapped SKU shows as itself", ref, v1alpha1.ModeRealTimeAdjustment, nil, inc("SOCK", 2),
			[]planned{{sku: "SOCK", quantity: 2}}},
		{"unmapped SKU skipped", skipRef, v1alpha1.ModeRealTimeAdjustment, nil, inc("SOCK", 2),
			[]planned{{sku: "", status: StatusNotApplicable, reason: ReasonUnmappedSkipped}}},
		{"a kit's own SKU is no warehouse SKU", ref, v1alpha1.ModeRealTimeAdjustment, nil, inc("GIFT-BOX", 2),
			[]planned{{sku: "", status: StatusNotApplicable, reason: ReasonShownFromComponents}}},
		{"mapping from a feed", feedRef, v1alpha1.ModeRealTimeAdjustment, nil, inc("TS-M", 3),
			[]planned{{sku: "", status: StatusNotApplicable, reason: ReasonMappingFromFeed}}},
		{"mapping that cannot be read", missingRef, v1alpha1.ModeRealTimeAdjustment, nil, inc("TS-M", 3),
			[]planned{{sku: "", status: StatusNotApplicable, reason: ReasonMappingUnavailable}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := v1alpha1.SalesChannel{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: testNamespace},
				Spec: v1alpha1.SalesChannelSpec{Platform: v1alpha1.PlatformShopify, Inventory: v1alpha1.InventoryPolicy{Mode: tc.mode, Mapping: tc.mapping, Allocation: tc.rules}}}
			scope := Scope{Channels: []v1alpha1.SalesChannel{ch}, Syncs: []v1alpha1.InventorySync{inventorySync("shop-from-berlin", "shop", testWarehouse, "loc-1")}}
			ev := tc.event
			if err := ev.Validate(); err != nil {
				t.Fatal(err)
			}
			var got []planned
			for _, tg := range planEvent(&scope, &ev, in) {
				p := planned{sku: tg.sku, quantity: tg.quantity, allocated: tg.allocated}
				if tg.result != nil {
					p = planned{sku: tg.result.SKU, status: tg.result.Status, reason: tg.result.Reason}
					if tg.result.SKU == "" {
						p.sku = tg.sku
					}
					if tg.result.Message == "" || !strings.Contains(tg.result.Message, ev.SKU) && !strings.Contains(tg.result.Message, tg.result.SKU) && tg.result.Reason != ReasonMappingFromFeed && tg.result.Reason != ReasonMappingUnavailable {
						t.Errorf("message %q names neither %s nor the channel SKU", tg.result.Message, ev.SKU)
					}
				}
				got = append(got, p)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("planned\n  %v\nwant\n  %v", got, tc.want)
			}
		})
	}
}

// The answer for a kit missing a level names the missing component and how long a level is
// trusted.
func TestKitNeedsLevelsNamesWhatIsMissing(t *testing.T) {
	ch := v1alpha1.SalesChannel{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: testNamespace},
		Spec: v1alpha1.SalesChannelSpec{Inventory: v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeSynchronizeWithFulfillmentChannel,
			Mapping: &v1alpha1.CatalogMapping{ConfigMapRef: &v1alpha1.ConfigMapKeySelector{Name: "catalog", Key: "rows.csv"}}}}}
	scope := Scope{Channels: []v1alpha1.SalesChannel{ch}, Syncs: []v1alpha1.InventorySync{inventorySync("s", "shop", testWarehouse, "loc-1")}}
	in := fakeInputs{mappings: map[string]*skumap.Mapping{testNamespace + "/catalog/rows.csv": catalog(t, skumap.UnmappedSelf)}}
	ev := Event{ID: "e", Trigger: TriggerAPIBulkUpdate, SKU: "TEA", FulfillmentChannel: testWarehouse, QuantityBefore: ptr(1), QuantityAfter: ptr(8)}
	targets := planEvent(&scope, &ev, in)
	if len(targets) != 1 || targets[0].result == nil {
		t.Fatalf("targets %+v", targets)
	}
	r := targets[0].result
	for _, want := range []string{`kit "GIFT-BOX"`, `"MUG"`, testWarehouse, "1h0m0s"} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("message %q does not contain %q", r.Message, want)
		}
	}
	if r.SKU != "GIFT-BOX" {
		t.Errorf("result SKU %q, want GIFT-BOX", r.SKU)
	}
}

// TestMappingCache: a ConfigMap mapping is parsed once per version and read again only after
// mappingRecheck, so an edit reaches the relay within it; an unusable one is an error naming
// its problem.
func TestMappingCache(t *testing.T) {
	dir := NewStaticDirectory(Scope{})
	dir.SetConfigMap(testNamespace, "catalog", map[string]string{"rows.csv": catalogCSV})
	ref := v1alpha1.ConfigMapKeySelector{Name: "catalog", Key: "rows.csv"}
	c := newMappingCache()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	first, err := c.get(t.Context(), dir, now, testNamespace, ref, v1alpha1.UnmappedSelf)
	if err != nil || first.Rows() != 5 {
		t.Fatalf("first read: %v, %v", first, err)
	}
	dir.SetConfigMap(testNamespace, "catalog", map[string]string{"rows.csv": catalogCSV + "SOCK-2,SOCK,2\n"})
	if m, _ := c.get(t.Context(), dir, now.Add(mappingRecheck-time.Second), testNamespace, ref, v1alpha1.UnmappedSelf); m != first {
		t.Error("the ConfigMap was read again within mappingRecheck")
	}
	if m, _ := c.get(t.Context(), dir, now.Add(mappingRecheck), testNamespace, ref, v1alpha1.UnmappedSelf); m == nil || m.Rows() != 6 {
		t.Errorf("the edit did not reach the relay after mappingRecheck: %v", m)
	}
	again := now.Add(2 * mappingRecheck)
	held, _ := c.get(t.Context(), dir, again, testNamespace, ref, v1alpha1.UnmappedSelf)
	if m, _ := c.get(t.Context(), dir, again.Add(mappingRecheck), testNamespace, ref, v1alpha1.UnmappedSelf); m != held {
		t.Error("an unchanged version was parsed again")
	}
	dir.SetConfigMap(testNamespace, "bad", map[string]string{"rows.csv": "channelSKU,warehouseSKU,quantity\nBOX,MUG,0\n"})
	if _, err := c.get(t.Context(), dir, now, testNamespace, v1alpha1.ConfigMapKeySelector{Name: "bad", Key: "rows.csv"}, v1alpha1.UnmappedSelf); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("invalid rows: %v, want an error naming line 2", err)
	}
}
