package relay

import (
	"container/list"
	"crypto/sha256"
	"sync"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// ledgerKey names one event on one channel location.
type ledgerKey struct {
	eventID string
	lane    laneKey
}

type entryState int

const (
	// statePending: queued or being written; waiters block on done.
	statePending entryState = iota
	// stateApplied: the channel acknowledged it; a retry is answered without writing.
	stateApplied
	// stateInDoubt: its write failed without an answer; a retry re-sends that exact write.
	stateInDoubt
	// stateFailed: settled without effect and forgotten; only its waiters still hold it.
	stateFailed
)

// entry is what the ledger knows of one event on one channel location.
type entry struct {
	digest [sha256.Size]byte
	state  entryState
	// done is closed when a pending entry settles; outcome is set before.
	done    chan struct{}
	outcome outcome
	// sent is the write whose outcome is unknown, while in doubt.
	sent *sentWrite
	elem *list.Element
}

// outcome is what a lane reports for one event.
type outcome struct {
	status  Status
	reason  string
	message string
}

// sentWrite is one Write call as it was sent, kept while its outcome is unknown so a retry
// sends the very same call, under the same idempotency key, and the channel applies it once.
type sentWrite struct {
	key      string
	strategy v1alpha1.Strategy
	changes  []channel.Change
	events   []ledgerKey
	// eventChanges lists, for each of events, the indexes of its changes.
	eventChanges [][]int
}

// claimKind is what a caller must do with an event for a channel location.
type claimKind int

const (
	// claimNew: queue the event.
	claimNew claimKind = iota
	// claimResend: queue a re-send of entry.sent.
	claimResend
	// claimWait: another request has it queued; wait for done.
	claimWait
	// claimApplied: already applied.
	claimApplied
)

// Ledger records which events each channel location has applied, so a retried event is
// applied once. It holds up to a fixed number of entries, forgetting the oldest first; a
// pending entry is never forgotten.
type Ledger struct {
	mu       sync.Mutex
	capacity int
	entries  map[ledgerKey]*entry
	order    *list.List // of ledgerKey, oldest first
}

// NewLedger returns a ledger that remembers up to capacity event-location pairs.
func NewLedger(capacity int) *Ledger {
	return &Ledger{capacity: max(capacity, 1), entries: map[ledgerKey]*entry{}, order: list.New()}
}

// Len is the number of pairs remembered.
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// claim says, for each channel location of one event, what to do with it, and returns its
// entries, all in one critical section: when any of keys is remembered for an event with
// other content, it claims none and reports a conflict, so of two requests racing with one
// id and different content, one is refused.
func (l *Ledger) claim(keys []ledgerKey, digest [sha256.Size]byte) ([]*entry, []claimKind, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range keys {
		if e, ok := l.entries[key]; ok && e.digest != digest {
			return nil, nil, true
		}
	}
	entries := make([]*entry, len(keys))
	kinds := make([]claimKind, len(keys))
	for i, key := range keys {
		entries[i], kinds[i] = l.claimLocked(key, digest)
	}
	return entries, kinds, false
}

func (l *Ledger) claimLocked(key ledgerKey, digest [sha256.Size]byte) (*entry, claimKind) {
	e, ok := l.entries[key]
	if !ok {
		e = &entry{digest: digest, state: statePending, done: make(chan struct{})}
		e.elem = l.order.PushBack(key)
		l.entries[key] = e
		l.evictLocked()
		return e, claimNew
	}
	switch e.state {
	case stateApplied:
		return e, claimApplied
	case stateInDoubt:
		e.state, e.done = statePending, make(chan struct{})
		return e, claimResend
	default:
		return e, claimWait
	}
}

// evictLocked forgets the oldest settled entries beyond capacity.
func (l *Ledger) evictLocked() {
	for el := l.order.Front(); el != nil && len(l.entries) > l.capacity; {
		next := el.Next()
		key := el.Value.(ledgerKey)
		if l.entries[key].state != statePending {
			delete(l.entries, key)
			l.order.Remove(el)
		}
		el = next
	}
}

// settle records a pending entry's outcome and wakes its waiters. Applied entries are kept;
// failed ones are forgotten, so a retry is a new attempt; an entry whose write has an unknown
// outcome keeps that write for a retry to send again.
func (l *Ledger) settle(key ledgerKey, e *entry, o outcome, applied bool, sent *sentWrite) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.settleLocked(key, e, o, applied, sent)
}

func (l *Ledger) settleLocked(key ledgerKey, e *entry, o outcome, applied bool, sent *sentWrite) {
	wasPending := e.state == statePending
	e.outcome, e.sent = o, nil
	switch {
	case applied:
		e.state = stateApplied
	case sent != nil:
		e.state, e.sent = stateInDoubt, sent
	default:
		if l.entries[key] == e {
			delete(l.entries, key)
			l.order.Remove(e.elem)
		}
		e.state = stateFailed
	}
	if wasPending {
		close(e.done)
	}
}

// settleSent records the outcome of a re-sent write for every event it carried that is still
// waiting on that write; outcomeOf gets the event's index in sent.events.
func (l *Ledger) settleSent(sent *sentWrite, outcomeOf func(i int) (o outcome, applied, inDoubt bool)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, key := range sent.events {
		e, ok := l.entries[key]
		if !ok || e.sent != sent {
			continue
		}
		o, applied, inDoubt := outcomeOf(i)
		var keep *sentWrite
		if inDoubt {
			keep = sent
		}
		l.settleLocked(key, e, o, applied, keep)
	}
}
