package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/reservation"
	"github.com/techoms/inventory-operator/internal/syncpod"
	"github.com/techoms/inventory-operator/internal/workload"
)

const testRelayToken = "relay-token-do-not-log"

// The sync role reads the reservations after its feed's Last-Modified from the relay URL
// it is given, with the token from its environment, and writes the feed's level less them.
func TestSyncRoleSubtractsTheRelaysReservations(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", t0.Format(http.TimeFormat))
		w.Write([]byte("sku,quantity\nA,10\nB,4\n"))
	}))
	defer feed.Close()
	var asked []string
	relay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != reservation.Path || r.Header.Get("Authorization") != "Bearer "+testRelayToken {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		q := r.URL.Query()
		asked = append(asked, q.Get(reservation.ReaderParam)+" "+q.Get("fulfillmentChannel")+"@"+q.Get("since"))
		_ = json.NewEncoder(w).Encode(reservation.List{Reservations: []reservation.Entry{
			{EventID: "o-1", SKU: "A", Units: 2, SalesChannel: "b2b", OccurredAt: t0.Add(time.Minute)},
			{EventID: "o-0", SKU: "B", Units: 3, SalesChannel: "b2b", OccurredAt: t0.Add(-time.Minute)},
		}})
	}))
	defer relay.Close()
	f := newSyncFixture(t, "")
	f.feedURL = feed.URL
	f.env = map[string]string{syncpod.EnvReservationsToken: testRelayToken + "\n"}
	f.receiver.Put(testLocation, channel.Item{ID: "1", SKU: "A", Quantity: 10}, channel.Item{ID: "2", SKU: "B", Quantity: 1})
	cfg := f.config()
	cfg.ReservationsURL, cfg.FulfillmentChannel, cfg.SalesChannel = relay.URL, "warehouse-berlin", "shop"
	cfg.InventorySync = "retail/berlin-to-shop"

	code, result, logs := f.run(t, cfg)

	if code != 0 {
		t.Fatalf("exit %d; logs:\n%s", code, logs)
	}
	for id, q := range map[string]int64{"1": 8, "2": 4} {
		if got, _ := f.receiver.Item(testLocation, id); got.Quantity != q {
			t.Errorf("item %s shows %d, want %d", id, got.Quantity, q)
		}
	}
	if want := "retail/berlin-to-shop warehouse-berlin@" + t0.Format(time.RFC3339Nano); len(asked) != 1 || asked[0] != want {
		t.Errorf("the relay was asked %v, want once for %s", asked, want)
	}
	if r := result.Reserved; r == nil || r.Units != 2 || r.SKUs != 1 {
		t.Errorf("reserved %+v, want 2 units of 1 SKU", result.Reserved)
	}
	if strings.Contains(logs, testRelayToken) {
		t.Error("the relay token leaked into the logs")
	}

	f.env = nil
	if code, result, _ := f.run(t, cfg); code != workload.ExitPermanent || !strings.Contains(result.Message, syncpod.EnvReservationsToken) {
		t.Errorf("without a token: exit %d, %q; want a permanent failure naming %s", code, result.Message, syncpod.EnvReservationsToken)
	}
}
