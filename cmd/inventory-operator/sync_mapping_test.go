package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/workload"
)

func writeMapping(t *testing.T, rows string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mapping.csv")
	if err := os.WriteFile(path, []byte("channelSKU,warehouseSKU,quantity\n"+rows), 0o444); err != nil {
		t.Fatal(err)
	}
	return path
}

// The sync role reads the mounted mapping and writes channel SKUs.
func TestSyncRoleMapsTheFeed(t *testing.T) {
	f := newSyncFixture(t, "sku,quantity\nMUG,10\nTEA,7\nTS-M,4\n")
	f.receiver.Put(testLocation,
		channel.Item{ID: "kit", SKU: "GIFT-BOX", Quantity: 0},
		channel.Item{ID: "alias", SKU: "SHOP-TEE-M", Quantity: 0},
		channel.Item{ID: "raw", SKU: "TS-M", Quantity: 1},
	)
	cfg := f.config()
	cfg.MappingFile = writeMapping(t, "GIFT-BOX,MUG,1\nGIFT-BOX,TEA,2\nSHOP-TEE-M,TS-M,1\n")
	cfg.MappingUnmapped = v1alpha1.UnmappedSkip

	code, result, logs := f.run(t, cfg)

	if code != 0 {
		t.Fatalf("exit %d; logs:\n%s", code, logs)
	}
	if want := (v1alpha1.SKUCounts{Read: 2, Updated: 2}); result.SKUs != want {
		t.Errorf("counts %+v, want %+v", result.SKUs, want)
	}
	for id, q := range map[string]int64{"kit": 3, "alias": 4, "raw": 1} {
		if got, _ := f.receiver.Item(testLocation, id); got.Quantity != q {
			t.Errorf("item %s shows %d, want %d", id, got.Quantity, q)
		}
	}
}

// A mapping that fails validation fails the run for good, naming its line, before anything
// is read from the channel.
func TestSyncRoleRefusesAnInvalidMapping(t *testing.T) {
	f := newSyncFixture(t, "sku,quantity\nMUG,10\n")
	cfg := f.config()
	cfg.MappingFile = writeMapping(t, "GIFT-BOX,MUG,1\nGIFT-BOX,TEA,0\n")
	code, result, _ := f.run(t, cfg)
	if code != workload.ExitPermanent || !strings.Contains(result.Message, "line 3") || !strings.Contains(result.Message, "quantity 0") {
		t.Errorf("exit %d, result %+v; want %d and a message naming line 3", code, result, workload.ExitPermanent)
	}
	if s := f.receiver.Stats(); s.Requests != 0 {
		t.Errorf("the channel got %d requests, want none", s.Requests)
	}
}
