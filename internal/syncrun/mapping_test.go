package syncrun_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/skumap"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

func mapping(t *testing.T, unmapped skumap.Unmapped, csv string) *skumap.Mapping {
	t.Helper()
	m, err := skumap.ParseCSV(strings.NewReader("channelSKU,warehouseSKU,quantity\n"+csv), unmapped)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The feed counts components; the shop sells an alias, a kit, a pack, a component alone, an
// unmapped SKU, and a native bundle of its own. A plan shows what a run writes, kits with
// their limiting component; the run writes it; counts partition the channel SKUs read.
func TestRunAndPlanMapBeforeTheyCompare(t *testing.T) {
	s := newShop(t, 0)
	alias := s.stock("SHOP-TEE-M", 0)
	kit := s.stock("GIFT-BOX", 0)
	mug := s.stock("MUG", 0)
	six := s.stock("SIX-PACK", 3)
	sock := s.stock("SOCK", 0)
	bundle := s.stock("BUNDLE", 5)
	s.SetBundle(bundle)
	feed := levels(t, "TS-M=12", "MUG=10", "TEA=7", "CAN=20", "SOCK=4", "BUNDLE-PART=9")
	opts := options(feed, s.conn)
	opts.Mapping = mapping(t, skumap.UnmappedSelf, `SHOP-TEE-M,TS-M,1
GIFT-BOX,MUG,1
GIFT-BOX,TEA,2
MUG,MUG,1
SIX-PACK,CAN,6
BUNDLE,BUNDLE-PART,1
`)
	opts.PlanOnly = true

	plan := syncrun.Run(t.Context(), opts)

	// Read: SHOP-TEE-M, GIFT-BOX, MUG, SIX-PACK, BUNDLE from rows, SOCK unmapped. GIFT-BOX is
	// min(10/1, 7/2) = 3, limited by TEA; SIX-PACK 20/6 = 3, already shown.
	want := v1alpha1.SKUCounts{Read: 6, Updated: 4, Unchanged: 1, NativeBundles: 1}
	checkCounts(t, plan, want, syncrun.Succeeded)
	wantChanges := []v1alpha1.PlannedChange{
		{SKU: "GIFT-BOX", From: 0, To: 3, LimitedBy: "TEA"},
		{SKU: "MUG", From: 0, To: 10},
		{SKU: "SHOP-TEE-M", From: 0, To: 12},
		{SKU: "SOCK", From: 0, To: 4},
	}
	if !slices.Equal(plan.Result.Changes, wantChanges) {
		t.Errorf("changes %+v, want %+v", plan.Result.Changes, wantChanges)
	}
	wantMapping := v1alpha1.MappingCounts{Rows: 6, WarehouseSKUs: 6, Kits: 2, Aliases: 3, Unmapped: 1}
	if m := plan.Result.Mapping; m == nil || *m != wantMapping {
		t.Errorf("mapping counts %+v, want %+v", m, wantMapping)
	}
	s.checkAvailable(t, map[string]int64{alias: 0, kit: 0, mug: 0, six: 3, sock: 0, bundle: 5})

	opts.PlanOnly = false
	run := syncrun.Run(t.Context(), opts)
	checkCounts(t, run, want, syncrun.Succeeded)
	s.checkAvailable(t, map[string]int64{alias: 12, kit: 3, mug: 10, six: 3, sock: 4, bundle: 5})
	if got := s.Stats().ItemsWritten; got != 4 {
		t.Errorf("%d items written, want 4: never the bundle", got)
	}
}

// Allocation rules apply to what the channel SKU shows, after the mapping: a kit of 3 with a
// buffer of 1 shows 2.
func TestAllocationAppliesToTheMappedLevel(t *testing.T) {
	s := newShop(t, 0)
	kit := s.stock("GIFT-BOX", 0)
	opts := options(levels(t, "MUG=10", "TEA=7"), s.conn)
	opts.Mapping = mapping(t, skumap.UnmappedSkip, "GIFT-BOX,MUG,1\nGIFT-BOX,TEA,2\n")
	opts.Allocation = allocation.Rules{Buffer: 1}
	report := syncrun.Run(t.Context(), opts)
	checkCounts(t, report, v1alpha1.SKUCounts{Read: 1, Updated: 1}, syncrun.Succeeded)
	s.checkAvailable(t, map[string]int64{kit: 2})
	if m := report.Result.Mapping; m == nil || m.SkippedUnmapped != 0 || m.Kits != 1 || m.WarehouseSKUs != 2 {
		t.Errorf("mapping counts %+v", m)
	}
}

// Under unmapped: Skip a warehouse SKU no row names never reaches the channel, and is not
// read.
func TestUnmappedSkipLeavesOtherSKUsAlone(t *testing.T) {
	s := newShop(t, 0)
	alias, other := s.stock("SHOP-TEE-M", 0), s.stock("SOCK", 1)
	opts := options(levels(t, "TS-M=5", "SOCK=9"), s.conn)
	opts.Mapping = mapping(t, skumap.UnmappedSkip, "SHOP-TEE-M,TS-M,1\n")
	report := syncrun.Run(t.Context(), opts)
	checkCounts(t, report, v1alpha1.SKUCounts{Read: 1, Updated: 1}, syncrun.Succeeded)
	s.checkAvailable(t, map[string]int64{alias: 5, other: 1})
	if m := report.Result.Mapping; m == nil || m.SkippedUnmapped != 1 || m.Aliases != 1 {
		t.Errorf("mapping counts %+v", m)
	}
}

type mappingSource struct {
	m   *skumap.Mapping
	err error
}

func (s mappingSource) Read(context.Context) (*skumap.Mapping, error) { return s.m, s.err }

// A mapping read from a URL is read after the feed: an invalid one fails the run for good,
// an unreachable one for this time, and neither writes anything.
func TestAMappingSourceThatFailsWritesNothing(t *testing.T) {
	_, invalid := skumap.New([]skumap.Row{{ChannelSKU: "BOX", WarehouseSKU: "MUG", Quantity: 0, Position: 2}}, skumap.UnmappedSelf)
	for _, tc := range []struct {
		name   string
		err    error
		status syncrun.Status
	}{
		{"invalid", invalid, syncrun.Permanent},
		{"unreachable", errors.New("connecting to feed http://catalog: no connection within the connect timeout"), syncrun.Partial},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newShop(t, 0)
			box := s.stock("BOX", 1)
			opts := options(levels(t, "MUG=10"), s.conn)
			opts.MappingSource = mappingSource{err: tc.err}
			report := syncrun.Run(t.Context(), opts)
			if report.Status != tc.status || !strings.HasPrefix(report.Result.Message, "catalog mapping: ") {
				t.Errorf("status %v, message %q; want %v and the mapping named", report.Status, report.Result.Message, tc.status)
			}
			s.checkAvailable(t, map[string]int64{box: 1})
		})
	}
	s := newShop(t, 0)
	box := s.stock("BOX", 1)
	opts := options(levels(t, "MUG=10"), s.conn)
	opts.MappingSource = mappingSource{m: mapping(t, skumap.UnmappedSkip, "BOX,MUG,2\n")}
	report := syncrun.Run(t.Context(), opts)
	checkCounts(t, report, v1alpha1.SKUCounts{Read: 1, Updated: 1}, syncrun.Succeeded)
	s.checkAvailable(t, map[string]int64{box: 5})
}
