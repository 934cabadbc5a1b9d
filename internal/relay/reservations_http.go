package relay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/reservation"
)

// serveReservations answers a sync pod's read of a fulfillment channel's reservations after
// its feed's snapshot: GET reservation.Path?fulfillmentChannel=NAME&since=RFC3339&reader=NS/NAME,
// with a bearer token like the events. A read that names its reader is noted with its
// snapshot first, so no reservation it counts is dropped; then the channel's reservations
// every noted reader's snapshot counts are dropped.
func (h *eventsHandler) serveReservations(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="inventory-relay"`)
		h.reply(w, http.StatusUnauthorized, Response{Message: "a valid bearer token is required"})
		return
	}
	q := r.URL.Query()
	channel, reader := q.Get("fulfillmentChannel"), q.Get(reservation.ReaderParam)
	since, err := time.Parse(time.RFC3339Nano, q.Get("since"))
	switch {
	case channel == "" || len(channel) > MaxNameLength:
		h.reply(w, http.StatusBadRequest, Response{Message: "fulfillmentChannel is required, at most 253 bytes"})
		return
	case err != nil:
		h.reply(w, http.StatusBadRequest, Response{Message: "since is required: the feed's snapshot time, RFC 3339"})
		return
	case len(reader) > 2*MaxNameLength+1:
		h.reply(w, http.StatusBadRequest, Response{Message: "reader is at most 507 bytes: the InventorySync as namespace/name"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.ResponseTimeout)
	defer cancel()
	if reader != "" {
		token, _ := bearerToken(r)
		if err := h.noteReader(ctx, channel, readerOf(token, reader), since); err != nil {
			h.retryLater(w, http.StatusServiceUnavailable, ErrLedgerUnavailable.Error())
			return
		}
	}
	list := reservation.List{Reservations: []reservation.Entry{}}
	err = h.svc.store.Reservations(ctx, channel, since, func(res ledger.Reservation) {
		list.Reservations = append(list.Reservations, reservation.Entry{
			EventID: res.EventID, SKU: res.SKU, Units: res.Units, SalesChannel: res.SalesChannel, OccurredAt: res.OccurredAt,
		})
	})
	switch {
	case errors.Is(err, ledger.ErrReservationsDropped):
		h.reply(w, http.StatusConflict, Response{Message: "the reservations of this fulfillment channel " +
			"after the snapshot were dropped, because every reader had read a newer feed (" + err.Error() +
			"): a run of this snapshot would miss them; read a newer feed"})
		return
	case err != nil:
		h.retryLater(w, http.StatusServiceUnavailable, ErrLedgerUnavailable.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(list)
}

// noteReader notes the reader's snapshot and drops what every reader counts. A snapshot
// later than the relay's clock counts from the clock, so no reader holds a mark in the
// future. A failed drop is only late: the next read drops it, and the retention bounds it.
func (h *eventsHandler) noteReader(ctx context.Context, channel, reader string, since time.Time) error {
	if now := h.svc.cfg.Now(); since.After(now) {
		since = now
	}
	if err := h.svc.store.NoteReader(ctx, channel, reader, since); err != nil {
		return err
	}
	if n, err := h.svc.store.DropCountedReservations(ctx, channel); err != nil {
		h.svc.cfg.Log.Error(err, "dropping the reservations every reader counts", "fulfillmentChannel", channel)
	} else if n > 0 {
		h.svc.cfg.Log.V(1).Info("dropped the reservations every reader counts", "fulfillmentChannel", channel, "dropped", n)
	}
	return nil
}

// readerOf scopes a reader's name by the token it reads with: a holder of another token
// cannot note a newer snapshot for it, and so cannot drop reservations it still counts.
// The token itself is not kept, only a digest.
func readerOf(token, reader string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:8]) + " " + reader
}
