package syncrun

import (
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook"
)

func TestBatchKey(t *testing.T) {
	five := int64(5)
	batch := []channel.Change{{ItemID: "1", SKU: "A", Quantity: 7, CompareQuantity: &five}}
	key := batchKey("run-1", v1alpha1.StrategyAbsolute, 0, batch)
	if !strings.HasPrefix(key, "run-1/") {
		t.Errorf("key %q does not start with the run id", key)
	}
	same := []channel.Change{{ItemID: "1", SKU: "A", Quantity: 7, CompareQuantity: new(int64(5))}}
	if got := batchKey("run-1", v1alpha1.StrategyAbsolute, 0, same); got != key {
		t.Errorf("the same batch got key %q, then %q", key, got)
	}
	differ := map[string]string{
		"another run":      batchKey("run-2", v1alpha1.StrategyAbsolute, 0, batch),
		"another strategy": batchKey("run-1", v1alpha1.StrategyIncremental, 0, batch),
		"another round":    batchKey("run-1", v1alpha1.StrategyAbsolute, 1, batch),
		"another quantity": batchKey("run-1", v1alpha1.StrategyAbsolute, 0, []channel.Change{{ItemID: "1", SKU: "A", Quantity: 8, CompareQuantity: &five}}),
		"another compare":  batchKey("run-1", v1alpha1.StrategyAbsolute, 0, []channel.Change{{ItemID: "1", SKU: "A", Quantity: 7, CompareQuantity: new(int64(6))}}),
		"no compare":       batchKey("run-1", v1alpha1.StrategyAbsolute, 0, []channel.Change{{ItemID: "1", SKU: "A", Quantity: 7}}),
		"ids shifted":      batchKey("run-1", v1alpha1.StrategyAbsolute, 0, []channel.Change{{ItemID: "1A", SKU: "", Quantity: 7, CompareQuantity: &five}}),
	}
	for name, other := range differ {
		if other == key {
			t.Errorf("%s: same key %q", name, key)
		}
	}
	long := batchKey(strings.Repeat("r", 1000), v1alpha1.StrategyAbsolute, 0, batch)
	if len(long) > webhook.MaxIdempotencyKey {
		t.Errorf("key of a long run id has %d bytes, over the webhook limit of %d", len(long), webhook.MaxIdempotencyKey)
	}
}
