package relay

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/reservation"
)

// serveReservations answers a sync pod's read of a fulfillment channel's reservations after
// its feed's snapshot: GET reservation.Path?fulfillmentChannel=NAME&since=RFC3339, with a
// bearer token like the events.
func (h *eventsHandler) serveReservations(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="inventory-relay"`)
		h.reply(w, http.StatusUnauthorized, Response{Message: "a valid bearer token is required"})
		return
	}
	q := r.URL.Query()
	channel := q.Get("fulfillmentChannel")
	since, err := time.Parse(time.RFC3339Nano, q.Get("since"))
	switch {
	case channel == "" || len(channel) > MaxNameLength:
		h.reply(w, http.StatusBadRequest, Response{Message: "fulfillmentChannel is required, at most 253 bytes"})
		return
	case err != nil:
		h.reply(w, http.StatusBadRequest, Response{Message: "since is required: the feed's snapshot time, RFC 3339"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.ResponseTimeout)
	defer cancel()
	list := reservation.List{Reservations: []reservation.Entry{}}
	err = h.svc.store.Reservations(ctx, channel, since, func(res ledger.Reservation) {
		list.Reservations = append(list.Reservations, reservation.Entry{
			EventID: res.EventID, SKU: res.SKU, Units: res.Units, SalesChannel: res.SalesChannel, OccurredAt: res.OccurredAt,
		})
	})
	if err != nil {
		h.retryLater(w, http.StatusServiceUnavailable, ErrLedgerUnavailable.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(list)
}
