package relay

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// FuzzDecodeEvents feeds arbitrary bodies to the request decoder and checks that it never
// panics, refuses a request only as a whole with a 4xx, and that every event it accepts and
// validates keeps its quantities in range and survives a round trip unchanged.
func FuzzDecodeEvents(f *testing.F) {
	for _, seed := range []string{
		`{"events":[{"id":"a","trigger":"ReceiveReceipt","sku":"A-1","fulfillmentChannel":"w","increment":3}]}`,
		`{"events":[{"id":"b","trigger":"APIBulkUpdate","sku":"B","fulfillmentChannel":"w","quantityBefore":40,"quantityAfter":98}]}`,
		`{"events":[{"id":"c","trigger":"AllocateOrder","sku":"C","fulfillmentChannel":"w","increment":-1,"salesChannel":"s"}]}`,
		`{"events":[{"id":"d","trigger":"ReceiveReceipt","sku":"D","fulfillmentChannel":"w","increment":3000000000},{"id":"e","trigger":"ReceiveReceipt","sku":"E","fulfillmentChannel":"w","increment":1}]}`,
		`{"events":[{"id":"f","trigger":"ImportInventoryLevel","sku":"F","fulfillmentChannel":"w","quantityBefore":-9223372036854775808,"quantityAfter":9223372036854775807}]}`,
		`{"events":[{"id":"g","increment":"three"},{"id":"h","extra":1},null,[]]}`,
		`{"events":[]}`,
		`{"events":null,"other":1}`,
		`[1,2`,
		`{"events":[{"id":"\u0000","trigger":"ReceiveReceipt","sku":" x","fulfillmentChannel":"w","increment":1e3}]}`,
	} {
		f.Add([]byte(seed))
	}
	const maxBytes, maxEvents = 64 << 10, 16
	f.Fuzz(func(t *testing.T, body []byte) {
		events, status, msg := decodeEvents(http.MaxBytesReader(nil, nopCloser{bytes.NewReader(body)}, maxBytes), maxBytes, maxEvents)
		if status != 0 {
			if status < 400 || status > 499 || msg == "" || events != nil {
				t.Fatalf("refusal: status %d, message %q, %d events", status, msg, len(events))
			}
			return
		}
		if len(events) == 0 || len(events) > maxEvents {
			t.Fatalf("accepted %d events", len(events))
		}
		for i := range events {
			checkDecodedEvent(t, &events[i])
		}
	})
}

// checkDecodedEvent checks what validation promises of an event, and that a valid event
// encodes and decodes to the same content.
func checkDecodedEvent(t *testing.T, ev *Event) {
	t.Helper()
	if ev.Validate() != nil {
		return
	}
	if ev.ID == "" || len(ev.ID) > MaxEventIDLength || len(ev.SKU) > MaxSKULength {
		t.Fatalf("valid event with id %q, sku %q", ev.ID, ev.SKU)
	}
	for _, q := range []*int64{ev.Increment, ev.QuantityBefore, ev.QuantityAfter} {
		if q != nil && channel.CheckQuantity("quantity", *q) != nil {
			t.Fatalf("valid event with quantity %d", *q)
		}
	}
	if err := channel.CheckQuantity("delta", ev.Delta()); err != nil {
		t.Fatalf("valid event: %v", err)
	}
	encoded, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var again Event
	if err := json.Unmarshal(encoded, &again); err != nil {
		t.Fatalf("re-decoding %s: %v", encoded, err)
	}
	if err := again.Validate(); err != nil || again.digest() != ev.digest() {
		t.Fatalf("round trip of %s: %v, same digest %v", encoded, err, again.digest() == ev.digest())
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// FuzzValidateEvent builds events field by field, including quantities at and beyond every
// bound, and checks validation and the planning of valid events against a channel in each
// mode.
func FuzzValidateEvent(f *testing.F) {
	f.Add("id-1", "ReceiveReceipt", "SKU-A", testWarehouse, "", true, int64(3), false, int64(0), int64(0))
	f.Add("id-2", "APIBulkUpdate", "SKU-A", testWarehouse, "", false, int64(0), true, int64(40), int64(98))
	f.Add("id-3", "AllocateOrder", "SKU-A", testWarehouse, "shop-0", true, int64(-1), false, int64(0), int64(0))
	f.Add("id-4", "ImportInventoryLevel", "SKU-A", testWarehouse, "", true, int64(2_000_000_000), true, int64(-1_000_000_000), int64(1_000_000_000))
	f.Add("id-5", "APISingleRowUpdate", "SKU-A", testWarehouse, "", false, int64(0), true, int64(-9223372036854775808), int64(9223372036854775807))
	f.Add("", "Teleport", " SKU ", "", "", false, int64(0), false, int64(0), int64(0))
	scope := fuzzScope()
	f.Fuzz(func(t *testing.T, id, trigger, sku, fulfillment, salesChannel string, hasIncrement bool, increment int64, hasLevels bool, before, after int64) {
		ev := Event{ID: id, Trigger: EventTrigger(trigger), SKU: sku, FulfillmentChannel: fulfillment, SalesChannel: salesChannel}
		if hasIncrement {
			ev.Increment = &increment
		}
		if hasLevels {
			ev.QuantityBefore, ev.QuantityAfter = &before, &after
		}
		checkDecodedEvent(t, &ev)
		if ev.Validate() != nil {
			return
		}
		for _, tg := range planEvent(&scope, &ev, fakeInputs{}) {
			if tg.result == nil && channel.CheckQuantity("quantity", tg.quantity) != nil {
				t.Fatalf("planned quantity %d for %+v", tg.quantity, ev)
			}
		}
	})
}

// fuzzScope has a channel in each mode, each connected to testWarehouse.
func fuzzScope() Scope {
	var scope Scope
	for i, mode := range []string{"DoNotSynchronize", "RealTimeAdjustment", "SynchronizeWithFulfillmentChannel"} {
		name := "shop-" + string(rune('0'+i))
		ch := fuzzChannel(name, mode)
		scope.Channels = append(scope.Channels, ch)
		scope.Syncs = append(scope.Syncs, inventorySync(name+"-sync", name, testWarehouse, "loc-"+name))
	}
	return scope
}

func fuzzChannel(name, mode string) v1alpha1.SalesChannel {
	return v1alpha1.SalesChannel{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace},
		Spec: v1alpha1.SalesChannelSpec{
			Platform:  v1alpha1.PlatformWebhook,
			Inventory: v1alpha1.InventoryPolicy{Mode: v1alpha1.InventoryMode(mode)},
		},
	}
}
