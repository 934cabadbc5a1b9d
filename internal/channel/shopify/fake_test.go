package shopify

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/shopify/shopifytest"
)

// fakeShop is a shopifytest store with one location and a Connector to it; both run on
// the same fake clock, so the bucket refills exactly as long as the connector waits.
type fakeShop struct {
	*shopifytest.Server
	clock    *fakeClock
	location string
}

func newFakeShop(t *testing.T, plan v1alpha1.Plan) *fakeShop {
	t.Helper()
	clock := newFakeClock()
	srv := shopifytest.New(shopifytest.Options{Plan: string(plan), Token: testToken, Now: clock.Now})
	t.Cleanup(srv.Close)
	t.Cleanup(func() { srv.AssertNoErrors(t) })
	return &fakeShop{Server: srv, clock: clock, location: srv.AddLocation("Berlin")}
}

func (s *fakeShop) connector(t *testing.T, tune func(*Config)) *Connector {
	t.Helper()
	cfg := Config{BaseURL: s.URL, Token: testToken, LocationID: s.location, Plan: v1alpha1.PlanStandard,
		Now: s.clock.Now, Sleep: s.clock.Sleep}
	if tune != nil {
		tune(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// variant adds a variant stocked at the location with available q and returns its item.
func (s *fakeShop) variant(sku string, q int64) string {
	_, item := s.AddVariant(sku)
	s.SetAvailable(item, s.location, q)
	return item
}

func collect(t *testing.T, c *Connector, skus []string) []channel.Item {
	t.Helper()
	var items []channel.Item
	if err := c.Items(context.Background(), skus, func(it channel.Item) error {
		items = append(items, it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(items, func(a, b channel.Item) int { return strings.Compare(a.ID, b.ID) })
	return items
}

func TestItemsFromTheFakeShop(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	a := shop.variant("A", 5)
	dup1 := shop.variant("DUP", 1)
	dup2 := shop.variant("DUP", 2)
	_, unstocked := shop.AddVariant("UNSTOCKED")
	spaced := shop.variant("RED SHIRT", 9)
	shop.variant("OTHER", 3)
	shop.AddVariant("")

	wantAsked := []channel.Item{{ID: a, SKU: "A", Quantity: 5}, {ID: dup1, SKU: "DUP", Quantity: 1},
		{ID: dup2, SKU: "DUP", Quantity: 2}, {ID: unstocked, SKU: "UNSTOCKED", NotStocked: true}, {ID: spaced, SKU: "RED SHIRT", Quantity: 9}}
	slices.SortFunc(wantAsked, func(a, b channel.Item) int { return strings.Compare(a.ID, b.ID) })
	asked := []string{"A", "DUP", "UNSTOCKED", "RED SHIRT", "MISSING", "A"}

	cases := []struct {
		name      string
		skus      []string
		threshold int
		pageSize  int
		wantBulk  bool
		wantCount int
	}{
		{name: "searched", skus: asked, threshold: 10, wantCount: 5},
		{name: "searched in pages of one", skus: asked, threshold: 10, pageSize: 1, wantCount: 5},
		{name: "above the threshold by bulk", skus: asked, threshold: 2, wantBulk: true, wantCount: 5},
		{name: "all by bulk", skus: nil, threshold: 10, wantBulk: true, wantCount: 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := shop.connector(t, func(cfg *Config) { cfg.BulkThreshold, cfg.PageSize = c.threshold, c.pageSize })
			before := shop.Stats().Calls["bulkOperationRunQuery"]
			got := collect(t, conn, c.skus)
			if len(got) != c.wantCount {
				t.Fatalf("got %d items, want %d: %+v", len(got), c.wantCount, got)
			}
			if c.skus != nil && !slices.Equal(got, wantAsked) {
				t.Errorf("got %+v\nwant %+v", got, wantAsked)
			}
			if usedBulk := shop.Stats().Calls["bulkOperationRunQuery"] > before; usedBulk != c.wantBulk {
				t.Errorf("bulk operation used: %v, want %v", usedBulk, c.wantBulk)
			}
		})
	}
}

func TestItemsOfNoSKUsAsksNothing(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	conn := shop.connector(t, nil)
	if got := collect(t, conn, []string{}); len(got) != 0 || conn.Stats().Calls != 0 {
		t.Errorf("got %v with %d calls", got, conn.Stats().Calls)
	}
}

func TestWriteToTheFakeShop(t *testing.T) {
	cases := []struct {
		strategy v1alpha1.Strategy
		quantity int64
		want     int64
	}{
		{v1alpha1.StrategyAbsolute, 7, 7},
		{v1alpha1.StrategyIncremental, -3, 7},
	}
	for _, c := range cases {
		t.Run(string(c.strategy), func(t *testing.T) {
			shop := newFakeShop(t, v1alpha1.PlanStandard)
			a, b := shop.variant("A", 10), shop.variant("B", 10)
			conn := shop.connector(t, nil)
			changes := []channel.Change{
				{ItemID: a, SKU: "A", Quantity: c.quantity, CompareQuantity: ptr(int64(10))},
				{ItemID: b, SKU: "B", Quantity: c.quantity},
			}
			results, err := conn.Write(context.Background(), c.strategy, "run-1", changes)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range results {
				if r.Outcome != channel.Applied {
					t.Errorf("change %d: %v %s", i, r.Outcome, r.Reason)
				}
			}
			if got := []int64{shop.Available(a, shop.location), shop.Available(b, shop.location)}; got[0] != c.want || got[1] != c.want {
				t.Errorf("available %v, want %d each", got, c.want)
			}
			// The same key and changes again: Shopify answers from the first call.
			if _, err := conn.Write(context.Background(), c.strategy, "run-1", changes); err != nil {
				t.Fatal(err)
			}
			if got := shop.Available(b, shop.location); got != c.want {
				t.Errorf("after a retried write available %d, want %d", got, c.want)
			}
			if st := conn.Stats(); st.Calls != 2 || st.PointsSpent != 20 {
				t.Errorf("stats %+v, want 2 calls and 20 points", st)
			}
		})
	}
}

func TestWriteReportsStaleAndFailedAndAppliesTheRest(t *testing.T) {
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyAbsolute, v1alpha1.StrategyIncremental} {
		t.Run(string(strategy), func(t *testing.T) {
			shop := newFakeShop(t, v1alpha1.PlanStandard)
			ok1, stale, ok2 := shop.variant("OK1", 10), shop.variant("STALE", 10), shop.variant("OK2", 10)
			unknown := "gid://shopify/InventoryItem/999999999"
			shop.MakeStale(stale)
			conn := shop.connector(t, nil)
			changes := []channel.Change{
				{ItemID: ok1, Quantity: 4, CompareQuantity: ptr(int64(10))},
				{ItemID: stale, Quantity: 4, CompareQuantity: ptr(int64(10))},
				{ItemID: unknown, Quantity: 4},
				{ItemID: ""},
				{ItemID: ok2, Quantity: 4},
			}
			results, err := conn.Write(context.Background(), strategy, "run-2", changes)
			if err != nil {
				t.Fatal(err)
			}
			want := []channel.Outcome{channel.Applied, channel.Stale, channel.Failed, channel.Failed, channel.Applied}
			for i, r := range results {
				if r.Outcome != want[i] {
					t.Errorf("change %d: %v (%s), want %v", i, r.Outcome, r.Reason, want[i])
				}
			}
			if !strings.Contains(results[1].Reason, "CHANGE_FROM_QUANTITY_STALE") || results[2].Reason == "" {
				t.Errorf("reasons %q, %q", results[1].Reason, results[2].Reason)
			}
			applied := int64(4)
			if strategy == v1alpha1.StrategyIncremental {
				applied = 14
			}
			if a, b := shop.Available(ok1, shop.location), shop.Available(ok2, shop.location); a != applied || b != applied {
				t.Errorf("available %d, %d, want %d", a, b, applied)
			}
			if got := shop.Available(stale, shop.location); got != 9 { // the sale MakeStale made, nothing else
				t.Errorf("stale item shows %d, want 9", got)
			}
		})
	}
}

func TestWriteSplitsMoreThanMaxBatch(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	r := shop.SeedSKUs(shop.location, 600, func(i int) string { return "S" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) }, func(int) int64 { return 1 })
	conn := shop.connector(t, nil)
	changes := make([]channel.Change, r.Len())
	for i := range changes {
		changes[i] = channel.Change{ItemID: r.InventoryItemGID(i), Quantity: 2}
	}
	results, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "big", changes)
	if err != nil {
		t.Fatal(err)
	}
	for i, res := range results {
		if res.Outcome != channel.Applied {
			t.Fatalf("change %d: %v %s", i, res.Outcome, res.Reason)
		}
	}
	if got := shop.Stats().Calls["inventorySetQuantities"]; got != 3 {
		t.Errorf("%d calls, want 3", got)
	}
}

func TestWriteRetriesInjectedOutages(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	a := shop.variant("A", 1)
	shop.FailNext(2, 503)
	conn := shop.connector(t, nil)
	results, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "k", []channel.Change{{ItemID: a, Quantity: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Outcome != channel.Applied || shop.Available(a, shop.location) != 3 {
		t.Errorf("result %+v, available %d", results[0], shop.Available(a, shop.location))
	}
	if got := conn.Stats().Calls; got != 3 {
		t.Errorf("%d calls, want 3", got)
	}
}

func TestAWrongTokenIsAnErrorThatDoesNotShowIt(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	conn := shop.connector(t, func(cfg *Config) { cfg.Token = "shpat_wrong_secret" })
	err := conn.Items(context.Background(), []string{"A"}, func(channel.Item) error { return nil })
	if err == nil || strings.Contains(err.Error(), "shpat_wrong_secret") {
		t.Fatalf("err = %v", err)
	}
}

// Writing 300 calls of 10 points each on Standard must wait only for the points beyond the
// full bucket: (300 x 10 - 2,000) / 100 per s = 10 s of the fake clock, and never be throttled.
func TestWritesArePacedToTheBucketWithoutThrottling(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	items := make([]string, 10)
	for i := range items {
		items[i] = shop.variant("P"+string(rune('A'+i)), 0)
	}
	conn := shop.connector(t, nil)
	start := shop.clock.Now()
	for call := range 300 {
		changes := make([]channel.Change, len(items))
		for i, it := range items {
			changes[i] = channel.Change{ItemID: it, Quantity: int64(call)}
		}
		if _, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, "pace-"+strconv.Itoa(call), changes); err != nil {
			t.Fatal(err)
		}
	}
	elapsed := shop.clock.Now().Sub(start)
	st := conn.Stats()
	if st.Throttled != 0 || shop.Stats().Throttled != 0 {
		t.Errorf("throttled %d times", st.Throttled)
	}
	floor := 10 * time.Second
	if elapsed < floor || elapsed > floor+floor/20 {
		t.Errorf("fake clock advanced %v, want %v (+5%%)", elapsed, floor)
	}
	if st.Calls != 300 || st.PointsSpent != 3000 {
		t.Errorf("stats %+v", st)
	}
}

func TestItemsSearchesInChunksOfSKUs(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	seeded := shop.SeedSKUs(shop.location, 450, func(i int) string { return "SKU-" + strconv.Itoa(i) }, func(i int) int64 { return int64(i) })
	dup := shop.variant("SKU-7", 70)
	asked := make([]string, 0, 300)
	for i := range 300 {
		asked = append(asked, "SKU-"+strconv.Itoa(i))
	}
	conn := shop.connector(t, nil)
	got := collect(t, conn, asked)
	if len(got) != 301 {
		t.Fatalf("got %d items, want 301", len(got))
	}
	byID := map[string]channel.Item{}
	for _, it := range got {
		byID[it.ID] = it
	}
	if it := byID[seeded.InventoryItemGID(123)]; it.SKU != "SKU-123" || it.Quantity != 123 {
		t.Errorf("item 123 read as %+v", it)
	}
	if it := byID[dup]; it.SKU != "SKU-7" || it.Quantity != 70 {
		t.Errorf("duplicate read as %+v", it)
	}
	if calls := shop.Stats().Calls["productVariants"]; calls != 3 {
		t.Errorf("%d productVariants calls, want 3", calls)
	}
	if st := conn.Stats(); st.Throttled != 0 {
		t.Errorf("throttled %d times", st.Throttled)
	}
}
