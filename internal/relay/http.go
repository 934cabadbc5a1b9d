package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/techoms/inventory-operator/internal/metrics"
	"github.com/techoms/inventory-operator/internal/reservation"
)

// Defaults of HandlerOptions.
const (
	DefaultMaxRequestBytes = 1 << 20
	DefaultMaxEvents       = 1000
	DefaultResponseTimeout = 30 * time.Second
	DefaultRetryAfter      = time.Second
	DefaultMaxInFlight     = 1024
	// DefaultMaxInFlightBytes bounds the request bodies being handled at once. Decoding
	// holds about four times a body, so requests keep the relay's live heap near 64 MiB,
	// and its resident memory well within its 512Mi limit under the Go collector's default
	// target of twice the live heap.
	DefaultMaxInFlightBytes = 16 << 20
)

// EventsPath is where the OMS posts events.
const EventsPath = "/v1/events"

// HandlerOptions configure the HTTP API.
type HandlerOptions struct {
	// Tokens returns the bearer tokens accepted now. Required.
	Tokens func() (*TokenSet, error)
	// MaxRequestBytes bounds a request body; larger ones get 413.
	MaxRequestBytes int64
	// MaxEvents bounds the events of one request; more get 413.
	MaxEvents int
	// ResponseTimeout bounds the wait for the channels; events not acknowledged by then are
	// reported TimedOut and go on being written.
	ResponseTimeout time.Duration
	// RetryAfter is the Retry-After of 429 and 503 answers.
	RetryAfter time.Duration
	// MaxInFlight bounds the requests handled at once; more get 503.
	MaxInFlight int
	// MaxInFlightBytes bounds the bodies of the requests handled at once, counting a
	// request's Content-Length, or MaxRequestBytes when it has none; more get 503.
	MaxInFlightBytes int64
}

// Handler serves POST /v1/events and GET /v1/reservations (bearer token required), GET
// /healthz and GET /readyz.
func (s *Service) Handler(opts HandlerOptions) http.Handler {
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	if opts.ResponseTimeout <= 0 {
		opts.ResponseTimeout = DefaultResponseTimeout
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = DefaultRetryAfter
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = DefaultMaxInFlight
	}
	if opts.MaxInFlightBytes <= 0 {
		opts.MaxInFlightBytes = DefaultMaxInFlightBytes
	}
	h := &eventsHandler{svc: s, opts: opts, slots: make(chan struct{}, opts.MaxInFlight)}
	mux := http.NewServeMux()
	mux.Handle("POST "+EventsPath, h)
	mux.HandleFunc("GET "+EventsPath+"/{id}", h.serveOutcome)
	mux.HandleFunc("GET "+reservation.Path, h.serveReservations)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.Ready() {
			http.Error(w, "shutting down, or the ledger is not reachable or not read yet", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	return mux
}

type eventsHandler struct {
	svc   *Service
	opts  HandlerOptions
	slots chan struct{}

	mu            sync.Mutex
	inFlightBytes int64
}

// reserve counts n more body bytes in flight, unless that would exceed MaxInFlightBytes
// while other requests are in flight.
func (h *eventsHandler) reserve(n int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inFlightBytes > 0 && h.inFlightBytes+n > h.opts.MaxInFlightBytes {
		return false
	}
	h.inFlightBytes += n
	return true
}

func (h *eventsHandler) unreserve(n int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inFlightBytes -= n
}

func (h *eventsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="inventory-relay"`)
		h.reply(w, http.StatusUnauthorized, Response{Message: "a valid bearer token is required"})
		return
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	default:
		h.retryLater(w, http.StatusServiceUnavailable, "too many requests in flight")
		return
	}
	size := r.ContentLength
	if size > h.opts.MaxRequestBytes {
		h.reply(w, http.StatusRequestEntityTooLarge, Response{Message: bodyTooLarge(h.opts.MaxRequestBytes)})
		return
	}
	if size < 0 {
		size = h.opts.MaxRequestBytes
	}
	if !h.reserve(size) {
		h.retryLater(w, http.StatusServiceUnavailable, "too many request bytes in flight")
		return
	}
	defer h.unreserve(size)
	events, status, msg := h.decode(w, r)
	if status != 0 {
		h.reply(w, status, Response{Message: msg})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.ResponseTimeout)
	defer cancel()
	resp, err := h.svc.Handle(ctx, events)
	if err != nil {
		msg := "the relay cannot read its channels now"
		if errors.Is(err, ErrShuttingDown) || errors.Is(err, ErrLedgerUnavailable) {
			msg = err.Error()
		}
		h.retryLater(w, http.StatusServiceUnavailable, msg)
		return
	}
	metrics.RelayRequest(time.Since(arrived))
	// A throttled event is retried by any sender on a 429, not on a 400: it wins over an
	// invalid event in the same request, which errors still lists.
	status = http.StatusOK
	switch {
	case resp.throttled():
		w.Header().Set("Retry-After", h.retryAfter())
		status = http.StatusTooManyRequests
	case len(resp.Errors) > 0:
		status = http.StatusBadRequest
	}
	h.reply(w, status, resp)
}

// serveOutcome answers GET /v1/events/{id}: what became of an accepted event on each
// channel it reaches, from the ledger, whichever replica took it.
func (h *eventsHandler) serveOutcome(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="inventory-relay"`)
		h.reply(w, http.StatusUnauthorized, Response{Message: "a valid bearer token is required"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.ResponseTimeout)
	defer cancel()
	er, found, err := h.svc.Outcome(ctx, r.PathValue("id"))
	switch {
	case err != nil:
		h.retryLater(w, http.StatusServiceUnavailable, ErrLedgerUnavailable.Error())
	case !found:
		h.reply(w, http.StatusNotFound, Response{Message: "the relay holds no event with this id: it was never accepted, or is older than the ledger's retention"})
	default:
		h.reply(w, http.StatusOK, Response{Results: []EventResult{er}})
	}
}

// authorized checks the Authorization header against the tokens accepted now.
func (h *eventsHandler) authorized(r *http.Request) bool {
	token, ok := bearerToken(r)
	if !ok {
		return false
	}
	tokens, err := h.opts.Tokens()
	return err == nil && tokens.Allows(token)
}

// bearerToken is the request's bearer token, as sent.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// decode reads the request. Each event is decoded on its own, so a malformed event is
// reported at its index and the others are still handled; a non-zero status refuses the
// whole request.
func (h *eventsHandler) decode(w http.ResponseWriter, r *http.Request) ([]Event, int, string) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return nil, http.StatusUnsupportedMediaType, "the body must be application/json"
	}
	return decodeEvents(http.MaxBytesReader(w, r.Body, h.opts.MaxRequestBytes), h.opts.MaxRequestBytes, h.opts.MaxEvents)
}

// decodeEvents reads a request body of at most maxBytes (body fails beyond, as
// http.MaxBytesReader does) holding at most maxEvents events.
func decodeEvents(body io.Reader, maxBytes int64, maxEvents int) ([]Event, int, string) {
	var raw struct {
		Events []json.RawMessage `json:"events"`
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, bodyTooLarge(maxBytes)
		}
		return nil, http.StatusBadRequest, "the body is not a JSON object with an events array: " + err.Error()
	}
	if len(raw.Events) == 0 {
		return nil, http.StatusBadRequest, "events is empty"
	}
	if len(raw.Events) > maxEvents {
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("%d events in one request, at most %d", len(raw.Events), maxEvents)
	}
	events := make([]Event, len(raw.Events))
	for i, msg := range raw.Events {
		d := json.NewDecoder(bytes.NewReader(msg))
		d.DisallowUnknownFields()
		if err := d.Decode(&events[i]); err != nil {
			// Leave the event empty: validation reports it at its index.
			events[i] = Event{}
			events[i].malformed = err.Error()
		}
	}
	return events, 0, ""
}

func bodyTooLarge(maxBytes int64) string {
	return fmt.Sprintf("the body is larger than %d bytes", maxBytes)
}

func (h *eventsHandler) retryAfter() string {
	return strconv.Itoa(max(1, int((h.opts.RetryAfter+time.Second-1)/time.Second)))
}

func (h *eventsHandler) retryLater(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Retry-After", h.retryAfter())
	h.reply(w, status, Response{Message: msg})
}

func (h *eventsHandler) reply(w http.ResponseWriter, status int, resp Response) {
	if resp.Results == nil {
		resp.Results = []EventResult{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}
