package relay

import (
	"context"
	"time"

	"github.com/techoms/inventory-operator/internal/ledger"
)

// reserve keeps an accepted event that takes stock out as a reservation of its fulfillment
// channel's SKU, from when it occurred: a full sync subtracts it from a feed whose snapshot
// is older. An occurredAt later than the relay's acceptance counts from the acceptance, so a
// sender's clock ahead of the relay's cannot hold units back longer. Recording it again, as
// a retried event does, changes nothing.
func (s *Service) reserve(ctx context.Context, ev *Event, acceptedAt time.Time) error {
	units := -ev.Delta()
	if units <= 0 {
		return nil
	}
	at := acceptedAt
	if ev.OccurredAt != nil && ev.OccurredAt.Before(acceptedAt) {
		at = *ev.OccurredAt
	}
	return s.store.RecordReservation(ctx, ledger.Reservation{
		EventID: ev.ID, FulfillmentChannel: ev.FulfillmentChannel, SKU: ev.SKU, Units: units,
		SalesChannel: orderChannel(ev), OccurredAt: at.UTC(),
	})
}

// orderChannel is the sales channel an order came from; other events have none.
func orderChannel(ev *Event) string {
	if ev.Trigger != TriggerAllocateOrder {
		return ""
	}
	return ev.SalesChannel
}
