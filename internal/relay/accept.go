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
	for i := range events {
		if !valid[i] {
			continue
		}
		ev := &events[i]
		if reason := scope.refusal(ev); reason != "" {
			resp.Errors = append(resp.Errors, EventError{Index: i, ID: ev.ID, Reason: reason})
			valid[i] = false
			continue
		}
		targets, reused, err := s.accept(ctx, ev, planEvent(&scope, ev))
		if err != nil {
			return Response{}, fmt.Errorf("%w: %w", ErrLedgerUnavailable, err)
		}
		if reused {
			resp.Errors = append(resp.Errors, EventError{Index: i, ID: ev.ID, Reason: "id was already used for an event with other content"})
			valid[i] = false
			continue
		}
		s.stats.events.Add(1)
		accepted[i] = targets
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

// accept records one valid event in the ledger, or finds it there, and returns its
// targets. A channel location whose queue is full throttles the whole event: it is not
// taken, and the sender sends it again.
func (s *Service) accept(ctx context.Context, ev *Event, targets []target) ([]recordedTarget, bool, error) {
	digest := ev.digest()
	now := s.cfg.Now()
	rec := ledger.Event{ID: ev.ID, Digest: hex.EncodeToString(digest[:]), AcceptedAt: now}
	superseded := false
	if ev.Sequence != nil {
		var err error
		if superseded, err = s.store.RecordLevel(ctx, ev.FulfillmentChannel, ev.SKU, *ev.Sequence, ev.ID); err != nil {
			return nil, false, err
		}
	}
	recorded := make([]recordedTarget, len(targets))
	full := false
	for n, t := range targets {
		if t.result != nil {
			recorded[n] = recordedTarget{Result: *t.result}
			continue
		}
		q := t.quantity
		base := ChannelResult{SalesChannel: t.channel.Name, InventorySync: t.sync.Name, LocationID: t.sync.Spec.FulfillmentChannel.LocationID, Push: pushOf(t.strategy), Quantity: &q}
		if superseded {
			base.Status, base.Reason = StatusNotApplicable, ReasonSuperseded
			base.Message = fmt.Sprintf("a level with a sequence newer than %d is recorded for this SKU; this one is written nowhere", *ev.Sequence)
			recorded[n] = recordedTarget{Result: base}
			continue
		}
		c := ledger.Claim{EventID: ev.ID, Lane: targetLane(t), State: ledger.Accepted, AcceptedAt: now, Work: ledger.Work{
			SKU: ev.SKU, Strategy: t.strategy, Quantity: t.quantity, Allocated: t.allocated,
			Duplicates: t.channel.Spec.Inventory.DuplicateSKUs, FulfillmentChannel: ev.FulfillmentChannel, Sequence: ev.Sequence,
		}}
		// Pending counts the events in the write under way too: QueueSize more may wait.
		if s.pendingCount(c.Lane) > s.cfg.QueueSize {
			full = true
		}
		recorded[n] = recordedTarget{Result: base, Claim: c.Key()}
		rec.Claims = append(rec.Claims, c)
	}
	if full {
		if held, err := s.store.Event(ctx, ev.ID); err == nil {
			return s.heldTargets(ctx, held, hex.EncodeToString(digest[:]))
		} else if !errors.Is(err, ledger.ErrNotFound) {
			return nil, false, err
		}
		s.stats.throttled.Add(1)
		for n := range recorded {
			if recorded[n].Claim != "" {
				recorded[n].Result.Status, recorded[n].Result.Reason = StatusThrottled, ReasonQueueFull
				recorded[n].Result.Message = "the queue of a channel location of this event is full; the event was not taken: send it again after Retry-After"
				recorded[n].Claim = ""
			}
		}
		return recorded, false, nil
	}
	answers, err := json.Marshal(recorded)
	if err != nil {
		return nil, false, err
	}
	rec.Answers = answers
	// Wait before the claims exist, so no outcome can be missed.
	for n := range recorded {
		if recorded[n].Claim != "" {
			recorded[n].wait = s.register(recorded[n].Claim)
		}
	}
	held, created, err := s.store.Accept(ctx, rec)
	if err == nil && created {
		return recorded, false, nil
	}
	for _, t := range recorded {
		if t.wait != nil {
			s.unregister(t.Claim, t.wait)
		}
	}
	if err != nil {
		return nil, false, err
	}
	return s.heldTargets(ctx, held, rec.Digest)
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
