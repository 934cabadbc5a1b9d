package relay

import (
	"time"

	"github.com/techoms/inventory-operator/internal/ledger"
)

// reservationOf is what an accepted event that takes stock out reserves of its fulfillment
// channel's SKU, from when it occurred: a full sync subtracts it from a feed whose snapshot
// is older. An occurredAt later than the relay's acceptance counts from the acceptance, so a
// sender's clock ahead of the relay's cannot hold units back longer. It says false for an
// event that takes nothing out.
func reservationOf(ev *Event, acceptedAt time.Time) (ledger.Reservation, bool) {
	units := -ev.Delta()
	if units <= 0 {
		return ledger.Reservation{}, false
	}
	at := acceptedAt
	if ev.OccurredAt != nil && ev.OccurredAt.Before(acceptedAt) {
		at = *ev.OccurredAt
	}
	return ledger.Reservation{
		EventID: ev.ID, FulfillmentChannel: ev.FulfillmentChannel, SKU: ev.SKU, Units: units,
		SalesChannel: orderChannel(ev), OccurredAt: at.UTC(),
	}, true
}

// orderChannel is the sales channel an order came from; other events have none.
func orderChannel(ev *Event) string {
	if ev.Trigger != TriggerAllocateOrder {
		return ""
	}
	return ev.SalesChannel
}
