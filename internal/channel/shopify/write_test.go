package shopify

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

func TestWriteRejectsBadCalls(t *testing.T) {
	s := newScriptedShopify(t, script(reply{status: 500}))
	conn := s.connector(newFakeClock(), nil)
	changes := []channel.Change{{ItemID: "gid://shopify/InventoryItem/1", Quantity: 1}}
	if _, err := conn.Write(context.Background(), "Sometimes", "k", changes); err == nil {
		t.Error("unknown strategy accepted")
	}
	if _, err := conn.Write(context.Background(), v1alpha1.StrategyAbsolute, " ", changes); err == nil {
		t.Error("blank key accepted")
	}
	if got := len(s.received()); got != 0 {
		t.Errorf("%d requests sent", got)
	}
	if conn.MaxBatch() != 250 {
		t.Errorf("MaxBatch %d", conn.MaxBatch())
	}
}

func userErr(code string, field ...string) map[string]any {
	var f any
	if field != nil {
		f = field
	}
	return map[string]any{"code": code, "field": f, "message": strings.ToLower(code)}
}

func TestWriteOutcomesFromUserErrors(t *testing.T) {
	three := []channel.Change{
		{ItemID: "gid://shopify/InventoryItem/1", Quantity: 1, CompareQuantity: ptr(int64(0))},
		{ItemID: "gid://shopify/InventoryItem/2", Quantity: 1},
		{ItemID: "gid://shopify/InventoryItem/3", Quantity: 1},
	}
	applied := answered(userErrorsData("inventoryAdjustQuantities"), 10, 990)
	cases := []struct {
		name     string
		replies  []reply
		want     []channel.Outcome
		wantKeys []string
		// refused is set when the whole call is refused: Write returns a RefusedError.
		refused bool
	}{
		{
			name:     "all applied in one call",
			replies:  []reply{applied},
			want:     []channel.Outcome{channel.Applied, channel.Applied, channel.Applied},
			wantKeys: []string{"k"},
		},
		{
			name: "stale and failed entries are reported, the rest sent again under a derived key",
			replies: []reply{answered(userErrorsData("inventoryAdjustQuantities",
				userErr("CHANGE_FROM_QUANTITY_STALE", "input", "changes", "0", "changeFromQuantity"),
				userErr("INVALID_INVENTORY_ITEM", "input", "changes", "2", "inventoryItemId")), 10, 990), applied},
			want:     []channel.Outcome{channel.Stale, channel.Applied, channel.Failed},
			wantKeys: []string{"k", "k/retry-1"},
		},
		{
			name: "indexes of a resent call refer to what it sent",
			replies: []reply{
				answered(userErrorsData("inventoryAdjustQuantities", userErr("CHANGE_FROM_QUANTITY_STALE", "input", "changes", "0", "changeFromQuantity")), 10, 990),
				answered(userErrorsData("inventoryAdjustQuantities", userErr("INVALID_LOCATION", "input", "changes", "1", "locationId")), 10, 990),
				applied,
			},
			want:     []channel.Outcome{channel.Stale, channel.Applied, channel.Failed},
			wantKeys: []string{"k", "k/retry-1", "k/retry-2"},
		},
		{
			name:     "an error naming no entry refuses the whole call",
			replies:  []reply{answered(userErrorsData("inventoryAdjustQuantities", userErr("INVALID_REASON", "input", "reason")), 10, 990)},
			wantKeys: []string{"k"},
			refused:  true,
		},
		{
			name: "an error naming no entry after a partial refusal still refuses the whole call",
			replies: []reply{
				answered(userErrorsData("inventoryAdjustQuantities", userErr("CHANGE_FROM_QUANTITY_STALE", "input", "changes", "0", "changeFromQuantity")), 10, 990),
				answered(userErrorsData("inventoryAdjustQuantities", userErr("IDEMPOTENCY_KEY_PARAMETER_MISMATCH")), 10, 990),
			},
			wantKeys: []string{"k", "k/retry-1"},
			refused:  true,
		},
		{
			name: "a concurrent request with the same key is waited for",
			replies: []reply{
				answered(userErrorsData("inventoryAdjustQuantities", userErr("IDEMPOTENCY_CONCURRENT_REQUEST")), 10, 990),
				applied,
			},
			want:     []channel.Outcome{channel.Applied, channel.Applied, channel.Applied},
			wantKeys: []string{"k", "k"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newScriptedShopify(t, script(c.replies...))
			conn := s.connector(newFakeClock(), nil)
			results, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, "k", three)
			if c.refused != channel.IsRefused(err) {
				t.Fatalf("error %v, want a refusal: %v", err, c.refused)
			}
			if err != nil && !c.refused {
				t.Fatal(err)
			}
			for i, r := range results {
				if r.Outcome != c.want[i] {
					t.Errorf("change %d: %v (%s), want %v", i, r.Outcome, r.Reason, c.want[i])
				}
				if r.Outcome != channel.Applied && r.Reason == "" {
					t.Errorf("change %d: no reason", i)
				}
			}
			var keys []string
			for _, r := range s.received() {
				keys = append(keys, r.Variables["key"].(string))
			}
			if fmt.Sprint(keys) != fmt.Sprint(c.wantKeys) {
				t.Errorf("keys %v, want %v", keys, c.wantKeys)
			}
		})
	}
}

// The relay writes from several goroutines at once through one connector.
func TestConcurrentWritesShareThePacer(t *testing.T) {
	shop := newFakeShop(t, v1alpha1.PlanStandard)
	const writers, writesEach = 6, 40
	items := make([]string, writers)
	for i := range items {
		items[i] = shop.variant(fmt.Sprintf("W%d", i), 0)
	}
	conn := shop.connector(t, nil)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for n := range writesEach {
				key := fmt.Sprintf("w%d-%d", w, n)
				res, err := conn.Write(context.Background(), v1alpha1.StrategyIncremental, key, []channel.Change{{ItemID: items[w], Quantity: 1}})
				if err != nil || res[0].Outcome != channel.Applied {
					t.Errorf("%s: %v %+v", key, err, res)
					return
				}
			}
		})
	}
	wg.Wait()
	for w, item := range items {
		if got := shop.Available(item, shop.location); got != writesEach {
			t.Errorf("item %d shows %d, want %d", w, got, writesEach)
		}
	}
	st := conn.Stats()
	if st.PointsSpent != writers*writesEach*10 {
		t.Errorf("stats %+v", st)
	}
	t.Logf("stats %+v", st)
}
