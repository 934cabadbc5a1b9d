package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrLaneHeld: another replica writes the lane and its lease has not expired.
var ErrLaneHeld = errors.New("another replica writes this channel location")

// ErrLostLane: the lease's revision moved on: another replica took the lane, so this one
// must not write to it again.
var ErrLostLane = errors.New("this replica no longer writes this channel location")

// Lease is the right to write one lane. Every change of it is a compare-and-swap on the
// revision it last wrote, so a writer that was paused or cut off past its expiry finds its
// revision stale at its next intent and stops: the revision, not the clock, is the fence.
type Lease struct {
	store *Store
	lane  Lane
	owner string
	ttl   time.Duration
	now   func() time.Time

	mu     sync.Mutex
	rev    uint64
	record lease
	// inherited are the intents the previous writer left unresolved, read at acquisition.
	inherited []Intent
}

// AcquireLane takes the lane for owner when no one holds it, its holder's lease expired, or
// owner held it before (a restarted replica of the same name).
func (s *Store) AcquireLane(ctx context.Context, l Lane, owner string, ttl time.Duration, now func() time.Time) (*Lease, error) {
	key := l.Key()
	held := lease{Owner: owner, Expires: now().Add(ttl)}
	e, err := s.lanes.Get(ctx, key)
	var rev uint64
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		data, _ := json.Marshal(held)
		rev, err = s.lanes.Create(ctx, key, data)
	case err != nil:
		return nil, fmt.Errorf("reading the lane's lease: %w", err)
	default:
		var prev lease
		if err := json.Unmarshal(e.Value(), &prev); err != nil {
			return nil, fmt.Errorf("decoding the lane's lease: %w", err)
		}
		if prev.Owner != owner && now().Before(prev.Expires) {
			return nil, ErrLaneHeld
		}
		held.Intent, held.Intents = prev.Intent, prev.Intents
		data, _ := json.Marshal(held)
		rev, err = s.lanes.Update(ctx, key, data, e.Revision())
	}
	if errors.Is(err, jetstream.ErrKeyExists) {
		return nil, ErrLaneHeld
	}
	if err != nil {
		return nil, fmt.Errorf("taking the lane's lease: %w", err)
	}
	return &Lease{store: s, lane: l, owner: owner, ttl: ttl, now: now, rev: rev, record: held, inherited: held.intents()}, nil
}

// Inherited are the intents the lane's previous writer recorded and did not resolve, in slot
// order: send them again before anything else.
func (l *Lease) Inherited() []Intent { return l.inherited }

// Expires is when the lease ends unless renewed.
func (l *Lease) Expires() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.record.Expires
}

// put writes the record with change applied, at the lease's revision.
func (l *Lease) put(ctx context.Context, change func(*lease)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	next := l.record
	change(&next)
	data, err := json.Marshal(next)
	if err != nil {
		return err
	}
	rev, err := l.store.lanes.Update(ctx, l.lane.Key(), data, l.rev)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return ErrLostLane
	}
	if err != nil {
		return fmt.Errorf("updating the lane's lease: %w", err)
	}
	l.rev, l.record = rev, next
	return nil
}

// Renew extends the lease.
func (l *Lease) Renew(ctx context.Context) error {
	return l.put(ctx, func(r *lease) { r.Expires = l.now().Add(l.ttl) })
}

// RecordIntent records the write about to be sent in its slot, replacing the slot's last, and
// proves the lane is still this replica's: call it before every call to the channel,
// re-sends included.
func (l *Lease) RecordIntent(ctx context.Context, in Intent) error {
	return l.put(ctx, func(r *lease) {
		r.Expires = l.now().Add(l.ttl)
		r.setIntent(in.Slot, &in)
	})
}

// ClearIntent records that the slot's write in flight is resolved: its claims are settled.
func (l *Lease) ClearIntent(ctx context.Context, slot int) error {
	return l.put(ctx, func(r *lease) { r.setIntent(slot, nil) })
}

// Release gives the lane up at once, keeping any unresolved intent for the next writer.
func (l *Lease) Release(ctx context.Context) error {
	return l.put(ctx, func(r *lease) { r.Expires = time.Time{} })
}
