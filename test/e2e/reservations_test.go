//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/reservation"
)

// A unit sold in the store between a run's read and its write stays sold: the run's
// compare-and-swap write finds the store moved, reads it again and writes the feed's level
// less the unit sold, not the feed's level again.
func TestRunKeepsAUnitSoldDuringTheRunSold(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t)
	s := newShop(t, ns, stockLine{"SKU-1", 2}, stockLine{"SKU-2", 0})
	s.MakeStale(s.InventoryItemGIDs("SKU-1")[0])
	f := newFeed(t, "sku,quantity\nSKU-1,5\nSKU-2,1\n")
	ch := newChannel(t, ns, "shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	newSync(t, ns, "one-off", ch, f, s, "")

	sync := waitRun(t, ns, "one-off", runTimeout, "the one-off run", func(*v1alpha1.SyncRun) bool { return true })
	run := sync.Status.LastRun
	if run.Result != v1alpha1.RunSucceeded {
		t.Fatalf("run %s: %s (%s)", run.Job, run.Result, run.Message)
	}
	if got, want := counts(run), (v1alpha1.SKUCounts{Read: 2, Updated: 2}); got != want {
		t.Errorf("run counts %+v, want %+v", got, want)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {4}, "SKU-2": {1}})
}

// An order allocated on another channel after the feed's snapshot is subtracted by the next
// full run: the feed says 10 at T0, an AllocateOrder of 2 from the B2B channel at T1 > T0
// goes through the relay, and the run writes 8, not 10. Once the feed says 8 at T2 > T1
// the order is in it: the reservation no longer counts, and the run writes 8, not 6.
func TestARunSubtractsAnOrderAllocatedAfterTheFeedsSnapshot(t *testing.T) {
	t.Parallel()
	ns := relayNamespace
	dumpOnFailure(t, ns)
	relay, relayURL := suiteRelayClient(t)
	s := newShopWithSecret(t, ns, "reserving-shop-token", stockLine{"SKU-1", 10})
	b2b := newShopWithSecret(t, ns, "b2b-token", stockLine{"SKU-1", 10})
	ch := newChannel(t, ns, "reserving-shop", s, v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
	newChannel(t, ns, "b2b", b2b, v1alpha1.ModeDoNotSynchronize, v1alpha1.DuplicateSKUsSkip)
	create(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "reservations-token", Namespace: ns},
		StringData: map[string]string{"token": suiteRelayToken},
	})
	// Times in the past: a Last-Modified later than the read is ignored.
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
	t1, t2 := t0.Add(10*time.Minute), t0.Add(20*time.Minute)
	f := newFeed(t, "")
	f.setSnapshot("sku,quantity\nSKU-1,10\n", t0)
	// A yearly schedule: the runs here are requested by hand.
	sync := newSync(t, ns, "reserving", ch, f, s, "0 0 1 1 *", func(s *v1alpha1.InventorySync) {
		s.Spec.Reservations = &v1alpha1.ReservationsSource{
			TokenSecretRef: v1alpha1.SecretKeySelector{Name: "reservations-token", Key: "token"},
		}
	})

	answer := sendEvents(t, relay, relayURL, suiteRelayToken, fmt.Sprintf(
		`{"events":[{"id":"b2b-order-1","trigger":"AllocateOrder","sku":"SKU-1","fulfillmentChannel":"warehouse","salesChannel":"b2b","increment":-2,"occurredAt":%q}]}`,
		t1.Format(time.RFC3339)))
	if len(answer.Errors) > 0 || len(answer.Results) != 1 {
		t.Fatalf("the order was not accepted: %+v", answer)
	}

	requestSync(t, sync, "run-1")
	first := waitRun(t, ns, sync.Name, runTimeout, "run-1", func(r *v1alpha1.SyncRun) bool { return r.Result != "" })
	run := first.Status.LastRun
	if run.Result != v1alpha1.RunSucceeded {
		t.Fatalf("run-1: %s (%s)", run.Result, run.Message)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {8}})
	if got, want := reservedOf(run), "since "+t0.Format(time.RFC3339)+": 1 SKUs, 2 units"; got != want {
		t.Errorf("run-1 reserved %s, want %s", got, want)
	}
	if got, want := counts(run), (v1alpha1.SKUCounts{Read: 1, Updated: 1}); got != want {
		t.Errorf("run-1 counts %+v, want %+v", got, want)
	}

	// run-1 read the T0 feed: the order is kept for it.
	if status := readReservations(t, relay, relayURL, "warehouse", t0); status != http.StatusOK {
		t.Errorf("a read of the T0 feed after run-1: %d, want 200", status)
	}

	f.setSnapshot("sku,quantity\nSKU-1,8\n", t2)
	requestSync(t, getSync(t, ns, sync.Name), "run-2")
	second := waitRun(t, ns, sync.Name, runTimeout, "run-2", func(r *v1alpha1.SyncRun) bool { return r.Job != run.Job && r.Result != "" })
	run = second.Status.LastRun
	if run.Result != v1alpha1.RunSucceeded {
		t.Fatalf("run-2: %s (%s)", run.Result, run.Message)
	}
	if got, want := reservedOf(run), "since "+t2.Format(time.RFC3339)+": 0 SKUs, 0 units"; got != want {
		t.Errorf("run-2 reserved %s, want %s", got, want)
	}
	if got, want := counts(run), (v1alpha1.SKUCounts{Read: 1, Unchanged: 1}); got != want {
		t.Errorf("run-2 counts %+v, want %+v", got, want)
	}
	s.waitLevels(t, map[string][]int64{"SKU-1": {8}})
	if got := b2b.availableBySKU("SKU-1"); got[0] != 10 {
		t.Errorf("the B2B store shows %d, want 10 (its mode writes nothing)", got[0])
	}
	// The sync, the channel's only reader, read a feed that counts the order: the relay
	// dropped it, and refuses a read of a feed older than that.
	if status := readReservations(t, relay, relayURL, "warehouse", t0); status != http.StatusConflict {
		t.Errorf("a read of the T0 feed after run-2: %d, want 409 (the order was dropped)", status)
	}
}

// readReservations reads a fulfillment channel's reservations after since from the relay,
// naming no reader, and returns the status.
func readReservations(t *testing.T, relay *http.Client, relayURL, fulfillmentChannel string, since time.Time) int {
	t.Helper()
	q := url.Values{"fulfillmentChannel": {fulfillmentChannel}, "since": {since.Format(time.RFC3339)}}
	req, err := http.NewRequest(http.MethodGet, relayURL+reservation.Path+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+suiteRelayToken)
	resp, err := relay.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// reservedOf describes a run's reserved counts.
func reservedOf(run *v1alpha1.SyncRun) string {
	if run.Reserved == nil {
		return "none"
	}
	r := run.Reserved
	return fmt.Sprintf("since %s: %d SKUs, %d units", r.Since.UTC().Format(time.RFC3339), r.SKUs, r.Units)
}
