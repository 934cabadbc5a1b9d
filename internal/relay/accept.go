package relay

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/metrics"
)

// recordedTarget is one channel an accepted event reaches, as the ledger keeps it: the
// answer decided without a write, or the claim whose outcome is the answer.
type recordedTarget struct {
	Result ChannelResult `json:"result"`
	Claim  string        `json:"claim,omitempty"`
	// wait receives the claim once the watch sees it settled; settled is the claim when it
	// already was.
	wait    chan ledger.Claim
	settled *ledger.Claim
}

// Handle validates events, records the valid ones in the ledger and waits for their
// outcomes until ctx ends; an event whose outcome is not known by then is answered
// Accepted: the ledger holds it and it will be applied once. An error means nothing more
// was taken: the directory or the ledger could not be read, or the relay is shutting down.
func (s *Service) Handle(ctx context.Context, events []Event) (Response, error) {
	if s.closing.Load() {
		return Response{}, ErrShuttingDown
	}
	resp := Response{Results: []EventResult{}}
	valid := make([]bool, len(events))
	seen := make(map[string]int, len(events))
	for i := range events {
		ev := &events[i]
		if err := ev.Validate(); err != nil {
			resp.Errors = append(resp.Errors, EventError{Index: i, ID: ev.ID, Reason: err.Error()})
			continue
		}
		if first, dup := seen[ev.ID]; dup {
			resp.Errors = append(resp.Errors, EventError{Index: i, ID: ev.ID, Reason: fmt.Sprintf("id repeats the event at index %d", first)})
			continue
		}
		seen[ev.ID] = i
		valid[i] = true
	}
	scope, err := s.cfg.Directory.Scope(ctx)
	if err != nil {
		return Response{}, fmt.Errorf("reading the channels in scope: %w", err)
	}

	accepted := make([][]recordedTarget, len(events))
	taken := func(a *acceptance) {
		if a.reused {
			resp.Errors = append(resp.Errors, EventError{Index: a.index, ID: events[a.index].ID, Reason: "id was already used for an event with other content"})
			valid[a.index] = false
			return
		}
		s.stats.events.Add(1)
		accepted[a.index] = a.recorded
	}
	var batch []*acceptance
	for i := range events {
		if !valid[i] {
			continue
		}
		ev := &events[i]
		targets := planEvent(&scope, ev, requestInputs{ctx, s})
		if reason := scope.refusal(ev, targets); reason != "" {
			resp.Errors = append(resp.Errors, EventError{Index: i, ID: ev.ID, Reason: reason})
			valid[i] = false
			continue
		}
		a, err := s.prepare(ctx, ev, targets)
		if err != nil {
			return Response{}, fmt.Errorf("%w: %w", ErrLedgerUnavailable, err)
		}
		a.index = i
		if a.rec == nil {
			taken(a)
			continue
		}
		batch = append(batch, a)
	}
	if err := s.acceptAll(ctx, batch); err != nil {
		return Response{}, fmt.Errorf("%w: %w", ErrLedgerUnavailable, err)
	}
	for _, a := range batch {
		taken(a)
	}

	for i := range events {
		if !valid[i] {
			continue
		}
		er := EventResult{Index: i, ID: events[i].ID, Channels: make([]ChannelResult, 0, len(accepted[i]))}
		for _, t := range accepted[i] {
			r := s.await(ctx, t)
			metrics.RelayEvent(string(events[i].Trigger), string(r.Status))
			er.Channels = append(er.Channels, r)
		}
		resp.Results = append(resp.Results, er)
	}
	sortErrors(resp.Errors)
	return resp, nil
}

// throttledMessage says why an event was not taken, by reason.
var throttledMessage = map[string]string{
	ReasonQueueFull:      "the queue of a channel location of this event is full; the event was not taken: send it again after Retry-After",
	ReasonTooManyWriters: "the relay has events waiting for as many channel writers (Shopify stores, webhook channel locations) as it runs at once; the event was not taken: send it again after Retry-After",
}

// acceptance is one valid event of a request on its way into the ledger: its record to
// write (nil when its answer was decided without writing), and its targets.
type acceptance struct {
	index    int
	ev       *Event
	rec      *ledger.Event
	recorded []recordedTarget
	reused   bool
	// mapped says a catalog mapping shaped a target: the event's level is kept for kits.
	mapped bool
}

// prepare decides what one valid event needs of the ledger: its record, with its targets
// waiting for their outcomes, or an answer without writing. A writer whose queue is full
// throttles the whole event: it is not taken, and the sender sends it again. An event the
// ledger already holds is answered from there.
func (s *Service) prepare(ctx context.Context, ev *Event, targets []target) (*acceptance, error) {
	recorded, rec, reused, err := s.prepareRecord(ctx, ev, targets)
	return &acceptance{ev: ev, rec: rec, recorded: recorded, reused: reused, mapped: mappingInUse(targets)}, err
}

// acceptAll records the events of a request the ledger does not hold yet, together, and
// answers those it turns out to hold (a retry racing its first send) from there.
func (s *Service) acceptAll(ctx context.Context, batch []*acceptance) error {
	if len(batch) == 0 {
		return nil
	}
	recs := make([]ledger.Event, len(batch))
	for i, a := range batch {
		recs[i] = *a.rec
	}
	held, created, err := s.store.AcceptAll(ctx, recs)
	if err == nil {
		// Recorded again for a retry, so a relay that stopped in between loses none.
		var reserved []ledger.Reservation
		for i, a := range batch {
			if r, ok := reservationOf(a.ev, held[i].AcceptedAt); ok && held[i].Digest == a.rec.Digest {
				reserved = append(reserved, r)
			}
		}
		if len(reserved) > 0 {
			err = s.store.RecordReservations(ctx, reserved...)
		}
	}
	for i, a := range batch {
		if err == nil && created[i] && a.mapped {
			s.recordKnownLevel(ctx, a.ev, a.rec.AcceptedAt)
		}
		if err == nil && created[i] {
			continue
		}
		for _, t := range a.recorded {
			if t.wait != nil {
				s.unregister(t.Claim, t.wait)
			}
		}
		if err != nil {
			continue
		}
		var herr error
		if a.recorded, a.reused, herr = s.heldTargets(ctx, held[i], a.rec.Digest); herr != nil {
			err = herr
		}
	}
	return err
}

func (s *Service) prepareRecord(ctx context.Context, ev *Event, targets []target) ([]recordedTarget, *ledger.Event, bool, error) {
	digest := ev.digest()
	now := s.cfg.Now()
	rec := ledger.Event{ID: ev.ID, Digest: hex.EncodeToString(digest[:]), AcceptedAt: now}
	superseded := false
	if ev.Sequence != nil {
		var err error
		if superseded, err = s.store.RecordLevel(ctx, ev.FulfillmentChannel, ev.SKU, *ev.Sequence, ev.ID); err != nil {
			return nil, nil, false, err
		}
	}
	recorded := make([]recordedTarget, len(targets))
	full := ""
	for n, t := range targets {
		if t.result != nil {
			recorded[n] = recordedTarget{Result: *t.result}
			continue
		}
		q := t.quantity
		base := ChannelResult{SalesChannel: t.channel.Name, InventorySync: t.sync.Name, LocationID: t.sync.Spec.FulfillmentChannel.LocationID, Push: pushOf(t.strategy), Quantity: &q}
		if t.sku != ev.SKU {
			base.SKU = t.sku
		}
		if superseded {
			base.Status, base.Reason = StatusNotApplicable, ReasonSuperseded
			base.Message = fmt.Sprintf("a level with a sequence newer than %d is recorded for this SKU; this one is written nowhere", *ev.Sequence)
			recorded[n] = recordedTarget{Result: base}
			continue
		}
		c := ledger.Claim{EventID: ev.ID, Lane: targetLane(t), State: ledger.Accepted, AcceptedAt: now, Work: ledger.Work{
			Location: t.sync.Spec.FulfillmentChannel.LocationID, SKU: ev.SKU, Strategy: t.strategy, Quantity: t.quantity, Allocated: t.allocated,
			Duplicates: t.channel.Spec.Inventory.DuplicateSKUs, FulfillmentChannel: ev.FulfillmentChannel, Sequence: ev.Sequence,
		}}
		claimWork(&c.Work, &targets[n], ev)
		// Pending counts the events in the write under way too: QueueSize more may wait.
		switch {
		case s.pendingCount(c.Lane) > s.cfg.QueueSize:
			full = ReasonQueueFull
		case !s.room(c.Lane):
			full = ReasonTooManyWriters
		}
		recorded[n] = recordedTarget{Result: base, Claim: c.Key()}
		rec.Claims = append(rec.Claims, c)
	}
	if full != "" {
		if held, err := s.store.Event(ctx, ev.ID); err == nil {
			recorded, reused, err := s.heldTargets(ctx, held, hex.EncodeToString(digest[:]))
			return recorded, nil, reused, err
		} else if !errors.Is(err, ledger.ErrNotFound) {
			return nil, nil, false, err
		}
		s.stats.throttled.Add(1)
		for n := range recorded {
			if recorded[n].Claim != "" {
				recorded[n].Result.Status, recorded[n].Result.Reason = StatusThrottled, full
				recorded[n].Result.Message = throttledMessage[full]
				recorded[n].Claim = ""
			}
		}
		return recorded, nil, false, nil
	}
	answers, err := json.Marshal(recorded)
	if err != nil {
		return nil, nil, false, err
	}
	rec.Answers = answers
	// Wait before the claims exist, so no outcome can be missed.
	for n := range recorded {
		if recorded[n].Claim != "" {
			recorded[n].wait = s.register(recorded[n].Claim)
		}
	}
	return recorded, &rec, false, nil
}

// heldTargets answers an event the ledger already held: from its recorded answers, with
// the claims' outcomes as they stand. A claim settled without effect (the channel refused
// it, or it was not applicable then) is reopened: sending such an event again is a new
// attempt, since nothing of it was applied.
func (s *Service) heldTargets(ctx context.Context, held ledger.Event, digest string) ([]recordedTarget, bool, error) {
	if held.Digest != digest {
		return nil, true, nil
	}
	var recorded []recordedTarget
	if err := json.Unmarshal(held.Answers, &recorded); err != nil {
		return nil, false, fmt.Errorf("decoding the recorded answers: %w", err)
	}
	for n := range recorded {
		if recorded[n].Claim == "" {
			continue
		}
		recorded[n].wait = s.register(recorded[n].Claim)
		c, rev, err := s.store.Claim(ctx, recorded[n].Claim)
		if err != nil {
			for _, t := range recorded[:n+1] {
				if t.wait != nil {
					s.unregister(t.Claim, t.wait)
				}
			}
			return nil, false, err
		}
		switch {
		case c.State == ledger.Settled && withoutEffect(c.Outcome):
			if err := s.store.Reopen(ctx, recorded[n].Claim, rev, c); err != nil && !errors.Is(err, ledger.ErrConflict) {
				return nil, false, err
			}
		case c.State == ledger.Settled:
			recorded[n].Result.Replayed = true
			recorded[n].settled = &c
		}
	}
	return recorded, false, nil
}

// withoutEffect says whether an outcome left the channel untouched, so the event may be
// tried again: a refusal or a configuration error, or not applicable, but not a write of
// unknown outcome and not a superseded level.
func withoutEffect(o *ledger.Outcome) bool {
	if o == nil {
		return false
	}
	switch Status(o.Status) {
	case StatusFailed:
		return o.Reason != ReasonOutcomeUnknown && o.Reason != ReasonPartlyApplied
	case StatusNotApplicable:
		return o.Reason != ReasonSuperseded
	}
	return false
}

// await waits for a claim's outcome; without one by the time ctx ends the event is
// Accepted.
func (s *Service) await(ctx context.Context, t recordedTarget) ChannelResult {
	r := t.Result
	if t.Claim == "" {
		return r
	}
	defer s.unregister(t.Claim, t.wait)
	if t.settled != nil {
		return withOutcome(r, *t.settled)
	}
	select {
	case c := <-t.wait:
		return withOutcome(r, c)
	case <-ctx.Done():
		r.Replayed = false
		r.Status, r.Reason = StatusAccepted, ""
		r.Message = "the ledger holds the event and it will be applied once; GET " + EventsPath + "/{id} tells its outcome"
		return r
	}
}

func withOutcome(r ChannelResult, c ledger.Claim) ChannelResult {
	if c.Outcome == nil {
		return r
	}
	r.Status, r.Reason, r.Message = Status(c.Outcome.Status), c.Outcome.Reason, c.Outcome.Message
	// Replayed marks an event applied by an earlier request.
	r.Replayed = r.Replayed && r.Status == StatusPushed
	return r
}

// Outcome returns what became of an accepted event on each channel it reaches, as the
// ledger holds it now; found is false for an id the ledger does not hold.
func (s *Service) Outcome(ctx context.Context, id string) (EventResult, bool, error) {
	held, err := s.store.Event(ctx, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return EventResult{}, false, nil
	}
	if err != nil {
		return EventResult{}, false, err
	}
	var recorded []recordedTarget
	if err := json.Unmarshal(held.Answers, &recorded); err != nil {
		return EventResult{}, false, fmt.Errorf("decoding the recorded answers: %w", err)
	}
	er := EventResult{ID: id, Channels: make([]ChannelResult, 0, len(recorded))}
	for _, t := range recorded {
		r := t.Result
		if t.Claim != "" {
			c, _, err := s.store.Claim(ctx, t.Claim)
			switch {
			case err != nil:
				return EventResult{}, false, err
			case c.State == ledger.Settled:
				r = withOutcome(r, c)
			default:
				r.Status = StatusAccepted
				r.Message = "accepted and not yet written; it will be applied once"
			}
		}
		er.Channels = append(er.Channels, r)
	}
	return er, true, nil
}
