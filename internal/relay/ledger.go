package relay

import (
	"crypto/sha256"
	"sync"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/metrics"
)

// ledgerKey names one event on one channel location.
type ledgerKey struct {
	eventID string
	lane    laneKey
}

type entryState uint8

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

// entry is what the ledger knows of one event on one channel location. It is kept small:
// the ledger holds hundreds of thousands of them.
type entry struct {
	key    ledgerKey
	digest [sha256.Size]byte
	state  entryState
	// done is closed when a pending entry settles, and dropped then: waiters got it from
	// claim. outcome is set before.
	done    chan struct{}
	outcome *outcome
	// sent is the write whose outcome is unknown, while in doubt.
	sent *sentWrite
	// older and newer link the entries from the oldest, which is forgotten first.
	older, newer *entry
}

// outcome is what a lane reports for one event.
type outcome struct {
	status  Status
	reason  string
	message string
}

// pushedOutcome is shared by every applied entry.
var pushedOutcome = &outcome{status: StatusPushed}

// sentWrite is one Write call as it was sent, kept while its outcome is unknown so a retry
// sends the very same call, under the same idempotency key, and the channel applies it once.
type sentWrite struct {
	key      string
	strategy v1alpha1.Strategy
	changes  []channel.Change
	events   []ledgerKey
	// eventChanges lists, for each of events, the indexes of its changes.
	eventChanges [][]int
	// bytes is about what the write holds in memory, shared among its events' entries.
	bytes int64
}

// Memory an entry holds besides its event id, measured with BenchmarkRelayMemory: the
// entry, its map slot at the map's lowest load, and its share of the done channel while
// pending. Overestimating only makes the ledger forget sooner.
const (
	entryBytes      = 352
	sentChangeBytes = 96
	sentEventBytes  = 96
	sentWriteBytes  = 160
)

func newSentWrite(key string, strategy v1alpha1.Strategy, changes []channel.Change) *sentWrite {
	s := &sentWrite{key: key, strategy: strategy, changes: changes, bytes: sentWriteBytes + int64(len(key))}
	for _, ch := range changes {
		s.bytes += sentChangeBytes + int64(len(ch.ItemID)+len(ch.SKU))
	}
	return s
}

func (s *sentWrite) addEvent(key ledgerKey, changes []int) {
	s.events = append(s.events, key)
	s.eventChanges = append(s.eventChanges, changes)
	s.bytes += sentEventBytes + 8*int64(len(changes))
}

// claimKind is what a caller must do with an event for a channel location.
type claimKind int

const (
	// claimNew: queue the event.
	claimNew claimKind = iota
	// claimResend: queue a re-send of claimed.resend.
	claimResend
	// claimWait: another request has it queued; wait for done.
	claimWait
	// claimApplied: already applied.
	claimApplied
)

// claimed is an event's claim on one channel location.
type claimed struct {
	key   ledgerKey
	entry *entry
	kind  claimKind
	// done is closed when the entry settles; nil when claimApplied.
	done chan struct{}
	// resend is the write to send again, for claimResend.
	resend *sentWrite
}

// Ledger records which events each channel location has applied, so a retried event is
// applied once. It holds entries up to a number of bytes (and, when set, a number of
// entries), forgetting the oldest settled ones first; a pending entry is never forgotten.
type Ledger struct {
	mu         sync.Mutex
	maxBytes   int64
	maxEntries int
	bytes      int64
	entries    map[ledgerKey]*entry
	// oldest and newest are the ends of the list of entries.
	oldest, newest *entry
	// lanes holds one copy of each lane key, which every entry of the lane shares.
	lanes map[laneKey]laneKey
}

// NewLedger returns a ledger that holds about maxBytes of entries and, when maxEntries is
// positive, at most that many.
func NewLedger(maxBytes int64, maxEntries int) *Ledger {
	return &Ledger{maxBytes: maxBytes, maxEntries: maxEntries, entries: map[ledgerKey]*entry{}, lanes: map[laneKey]laneKey{}}
}

// Len is the number of pairs remembered.
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// Bytes is about how much memory the remembered pairs hold.
func (l *Ledger) Bytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
}

// cost is what the ledger counts for an entry.
func cost(e *entry) int64 {
	c := entryBytes + int64(len(e.key.eventID))
	if e.sent != nil {
		c += e.sent.bytes/int64(len(e.sent.events)) + 1
	}
	return c
}

// claim says, for each channel location of one event, what to do with it, all in one
// critical section: when any of keys is remembered for an event with other content, it
// claims none and reports a conflict, so of two requests racing with one id and different
// content, one is refused.
func (l *Ledger) claim(keys []ledgerKey, digest [sha256.Size]byte) ([]claimed, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range keys {
		if e, ok := l.entries[key]; ok && e.digest != digest {
			return nil, true
		}
	}
	claims := make([]claimed, len(keys))
	for i, key := range keys {
		claims[i] = l.claimLocked(key, digest)
	}
	l.evictLocked()
	return claims, false
}

func (l *Ledger) claimLocked(key ledgerKey, digest [sha256.Size]byte) claimed {
	e, ok := l.entries[key]
	if !ok {
		lane, ok := l.lanes[key.lane]
		if !ok {
			lane = key.lane
			l.lanes[lane] = lane
		}
		key.lane = lane
		e = &entry{key: key, digest: digest, state: statePending, done: make(chan struct{})}
		l.entries[key] = e
		l.pushNewest(e)
		l.bytes += cost(e)
		return claimed{key: key, entry: e, kind: claimNew, done: e.done}
	}
	switch e.state {
	case stateApplied:
		return claimed{key: e.key, entry: e, kind: claimApplied}
	case stateInDoubt:
		e.state, e.done = statePending, make(chan struct{})
		return claimed{key: e.key, entry: e, kind: claimResend, done: e.done, resend: e.sent}
	default:
		return claimed{key: e.key, entry: e, kind: claimWait, done: e.done}
	}
}

func (l *Ledger) pushNewest(e *entry) {
	e.older = l.newest
	if l.newest != nil {
		l.newest.newer = e
	} else {
		l.oldest = e
	}
	l.newest = e
}

func (l *Ledger) unlink(e *entry) {
	if e.older != nil {
		e.older.newer = e.newer
	} else {
		l.oldest = e.newer
	}
	if e.newer != nil {
		e.newer.older = e.older
	} else {
		l.newest = e.older
	}
	e.older, e.newer = nil, nil
}

func (l *Ledger) over() bool {
	return l.bytes > l.maxBytes || (l.maxEntries > 0 && len(l.entries) > l.maxEntries)
}

// evictLocked forgets the oldest settled entries while the ledger is over its bounds.
// Every change of the ledger ends with it, so it reports the ledger's size too.
func (l *Ledger) evictLocked() {
	for e := l.oldest; e != nil && l.over(); {
		next := e.newer
		if e.state != statePending {
			l.forgetLocked(e)
		}
		e = next
	}
	metrics.Ledger(len(l.entries), l.bytes)
}

func (l *Ledger) forgetLocked(e *entry) {
	if l.entries[e.key] != e {
		return
	}
	l.bytes -= cost(e)
	delete(l.entries, e.key)
	l.unlink(e)
}

// outcome is what an entry settled as; call it once its done channel is closed.
func (l *Ledger) outcome(e *entry) outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	return *e.outcome
}

// settle records a pending entry's outcome and wakes its waiters. Applied entries are kept;
// failed ones are forgotten, so a retry is a new attempt; an entry whose write has an unknown
// outcome keeps that write for a retry to send again.
func (l *Ledger) settle(e *entry, o outcome, applied bool, sent *sentWrite) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.settleLocked(e, o, applied, sent)
	l.evictLocked()
}

func (l *Ledger) settleLocked(e *entry, o outcome, applied bool, sent *sentWrite) {
	wasPending := e.state == statePending
	kept := l.entries[e.key] == e
	if kept {
		l.bytes -= cost(e)
	}
	e.sent = nil
	switch {
	case applied:
		e.state, e.outcome = stateApplied, pushedOutcome
		if o.status != StatusPushed || o.reason != "" || o.message != "" {
			e.outcome = &o
		}
	case sent != nil:
		e.state, e.sent, e.outcome = stateInDoubt, sent, &o
	default:
		e.state, e.outcome = stateFailed, &o
	}
	if kept {
		l.bytes += cost(e)
		if e.state == stateFailed {
			l.forgetLocked(e)
		}
	}
	if wasPending {
		close(e.done)
		e.done = nil
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
		l.settleLocked(e, o, applied, keep)
	}
	l.evictLocked()
}
