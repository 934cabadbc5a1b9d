package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/syncpod"
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

// A mapping read from a URL goes with its own bearer token, never the feed's, and is
// validated before anything is written.
func TestSyncRoleReadsAMappingFromAURL(t *testing.T) {
	const mappingToken = "mapping-token-do-not-log"
	var rows atomic.Pointer[string]
	set := func(s string) { rows.Store(&s) }
	set("{\"channelSKU\":\"GIFT-BOX\",\"warehouseSKU\":\"MUG\",\"quantity\":1}\n{\"channelSKU\":\"GIFT-BOX\",\"warehouseSKU\":\"TEA\",\"quantity\":2}\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+mappingToken {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, *rows.Load())
	}))
	t.Cleanup(srv.Close)
	f := newSyncFixture(t, "sku,quantity\nMUG,10\nTEA,7\n")
	f.env = map[string]string{syncpod.EnvMappingToken: mappingToken}
	f.receiver.Put(testLocation, channel.Item{ID: "kit", SKU: "GIFT-BOX", Quantity: 0})
	cfg := f.config()
	cfg.MappingURL, cfg.MappingFormat, cfg.MappingUnmapped = srv.URL+"/catalog.ndjson", v1alpha1.FeedFormatNDJSON, v1alpha1.UnmappedSkip

	code, result, logs := f.run(t, cfg)

	if code != 0 || result.SKUs != (v1alpha1.SKUCounts{Read: 1, Updated: 1}) {
		t.Fatalf("exit %d, result %+v; logs:\n%s", code, result, logs)
	}
	if result.Mapping == nil || result.Mapping.Rows != 2 || result.Mapping.Kits != 1 {
		t.Errorf("mapping counts %+v", result.Mapping)
	}
	if got, _ := f.receiver.Item(testLocation, "kit"); got.Quantity != 3 {
		t.Errorf("the kit shows %d, want 3", got.Quantity)
	}
	if strings.Contains(logs, mappingToken) {
		t.Error("the mapping's token leaked into the logs")
	}

	set("{\"channelSKU\":\"GIFT-BOX\",\"warehouseSKU\":\"MUG\",\"quantity\":0}\n")
	code, result, _ = f.run(t, cfg)
	if code != workload.ExitPermanent || !strings.Contains(result.Message, "line 1") {
		t.Errorf("exit %d, result %+v; want %d naming line 1", code, result, workload.ExitPermanent)
	}

	f.env = nil
	code, result, _ = f.run(t, cfg)
	if code != workload.ExitPartial || !strings.Contains(result.Message, "401") {
		t.Errorf("exit %d, result %+v; want %d naming HTTP 401", code, result, workload.ExitPartial)
	}
}
