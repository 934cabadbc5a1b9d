package syncrun

import (
	"math"
	"sync"
)

// outcome is what became of one pending item so far.
type outcome uint8

const (
	// notPushed: no write has settled the item yet (the run stopped before it).
	notPushed outcome = iota
	// applied: the channel acknowledged the write.
	applied
	// settled: a re-read showed the channel already at the feed's value.
	settled
	// stale: the item had moved since it was read; it waits for a re-read.
	stale
	// failed: the item was not written; its reason is kept.
	failed
)

// maxReasons bounds the distinct failure reasons a run keeps; later new ones share
// reasonNotKept. Reasons repeat in practice (one Write error fails a whole batch), so the
// bound is about memory, not about losing useful text.
const maxReasons = 4096

const reasonNotKept = "refused by the channel (too many distinct reasons to keep this one)"

// ledger records the outcome of every pending item: two slices indexed like plan.pending,
// the reasons interned. Workers write disjoint positions; only the reason table is shared.
type ledger struct {
	state  []outcome
	reason []uint16

	mu      sync.Mutex
	reasons []string
	index   map[string]uint16
}

func newLedger(n int) *ledger {
	return &ledger{
		state:   make([]outcome, n),
		reason:  make([]uint16, n),
		reasons: []string{"", reasonNotKept},
		index:   map[string]uint16{},
	}
}

func (l *ledger) set(pos uint32, o outcome) { l.state[pos] = o }

// fail marks pos failed with reason, shortened so a run keeps no long text.
func (l *ledger) fail(pos uint32, reason string) {
	l.state[pos] = failed
	l.reason[pos] = l.intern(truncate(reason, maxReasonBytes))
}

func (l *ledger) intern(reason string) uint16 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r, ok := l.index[reason]; ok {
		return r
	}
	if len(l.reasons) >= maxReasons || len(l.reasons) >= math.MaxUint16 {
		return 1
	}
	r := uint16(len(l.reasons))
	l.reasons = append(l.reasons, reason)
	l.index[reason] = r
	return r
}

func (l *ledger) reasonOf(pos uint32) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reasons[l.reason[pos]]
}

// positions returns the positions in state o, ascending (so grouped by SKU).
func (l *ledger) positions(o outcome) []uint32 {
	var out []uint32
	for pos, s := range l.state {
		if s == o {
			out = append(out, uint32(pos))
		}
	}
	return out
}
