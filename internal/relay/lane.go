package relay

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/metrics"
)

// laneKey names a channel location: where one connector writes.
type laneKey struct {
	namespace, channel, location string
}

func (k laneKey) String() string { return k.namespace + "/" + k.channel + "@" + k.location }

// work is one event bound for one lane, or a re-send of a write whose outcome is unknown.
type work struct {
	key        ledgerKey
	entry      *entry
	sku        string
	strategy   v1alpha1.Strategy
	quantity   int64
	duplicates v1alpha1.DuplicateSKUPolicy
	resend     *sentWrite
	// allocated: quantity is what the channel should show under allocation rules
	// (target.allocated).
	allocated bool
}

// lane queues the events of one channel location and writes them through one connector, one
// call at a time: while a call is out, new events queue, and the next call takes up to
// MaxBatch of them. The connector paces the calls to the channel's rate limit.
type lane struct {
	key          laneKey
	fingerprint  [sha256.Size]byte
	conn         channel.Connector
	items        *itemCache
	ledger       *Ledger
	stats        *counters
	writeTimeout time.Duration
	// ctx outlives requests: a write goes on when its caller gives up waiting, so its
	// outcome is recorded for a retry.
	ctx context.Context
	// idle is called when the lane has had no work for idleAfter; it retires the lane, so
	// a channel location no longer written to holds no connector or item cache.
	idleAfter time.Duration
	idle      func(*lane)

	mu     sync.RWMutex
	closed bool
	queue  chan *work
	done   chan struct{}
}

// enqueue queues w without blocking. It fails when the queue is full or the lane retired.
func (l *lane) enqueue(w *work) (queued, retired bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return false, true
	}
	select {
	case l.queue <- w:
		metrics.Queued(1)
		return true, false
	default:
		return false, false
	}
}

// retire stops taking work; the worker finishes what is queued, then exits.
func (l *lane) retire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.queue)
	}
}

func (l *lane) run() {
	defer close(l.done)
	maxBatch := max(l.conn.MaxBatch(), 1)
	idle := time.NewTimer(l.idleAfter)
	defer idle.Stop()
	for {
		var first *work
		select {
		case w, ok := <-l.queue:
			if !ok {
				return
			}
			metrics.Queued(-1)
			first = w
		case <-idle.C:
			// Retiring closes the queue: what is queued is still written, then the loop ends.
			l.idle(l)
			continue
		}
		batch := []*work{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case w, ok := <-l.queue:
				if !ok {
					break drain
				}
				metrics.Queued(-1)
				batch = append(batch, w)
			default:
				break drain
			}
		}
		l.process(batch)
		idle.Reset(l.idleAfter)
	}
}

// process writes one batch: re-sends first, then increments, then absolute values, each
// strategy in its own calls since a call carries one, then the targets of allocation rules,
// last since they bring an item to a level whatever the others did.
func (l *lane) process(batch []*work) {
	var resent []*sentWrite
	var allocated []*work
	byStrategy := map[v1alpha1.Strategy][]*work{}
	for _, w := range batch {
		switch {
		case w.resend != nil:
			if !slices.Contains(resent, w.resend) {
				resent = append(resent, w.resend)
			}
		case w.allocated:
			allocated = append(allocated, w)
		default:
			byStrategy[w.strategy] = append(byStrategy[w.strategy], w)
		}
	}
	for _, sent := range resent {
		l.resendWrite(sent)
	}
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyIncremental, v1alpha1.StrategyAbsolute} {
		if works := byStrategy[strategy]; len(works) > 0 {
			l.push(strategy, works)
		}
	}
	if len(allocated) > 0 {
		l.pushAllocated(allocated)
	}
}

// resendWrite sends a write whose outcome was unknown again, with its key and changes.
func (l *lane) resendWrite(sent *sentWrite) {
	results, err := l.write(sent.strategy, sent.key, sent.eventIDs(), sent.changes)
	l.ledger.settleSent(sent, func(i int) (outcome, bool, bool) {
		switch {
		case channel.IsRefused(err):
			// Nothing of the write was applied, now or before: its events are settled
			// and a retry of one is a new attempt.
			return refusedOutcome(err), false, false
		case err != nil:
			return unknownOutcome(err), false, true
		}
		o, applied := changesOutcome(results, sent.eventChanges[i])
		return o, applied, false
	})
}

// push writes one strategy's events: it maps SKUs to items, merges the events of each item
// into one change (increments add up; for absolute values the last event wins), and writes
// the changes in calls of up to MaxBatch.
func (l *lane) push(strategy v1alpha1.Strategy, works []*work) {
	skus := make([]string, 0, len(works))
	for _, w := range works {
		skus = append(skus, w.sku)
	}
	slices.Sort(skus)
	skus = slices.Compact(skus)
	ctx, cancel := context.WithTimeout(l.ctx, l.writeTimeout)
	ids, err := l.items.lookup(ctx, l.conn, skus)
	cancel()
	l.stats.lookups.Add(1)
	if err != nil {
		for _, w := range works {
			l.ledger.settle(w.entry, unavailableOutcome(err), false, nil)
		}
		return
	}

	maxBatch := max(l.conn.MaxBatch(), 1)
	var events []routed
	for _, w := range works {
		items := slices.Compact(slices.Sorted(slices.Values(ids[w.sku])))
		if o, unwritable := unroutable(w, len(items), maxBatch); unwritable {
			l.ledger.settle(w.entry, o, false, nil)
			continue
		}
		events = append(events, routed{work: w, items: items})
	}
	l.writeEvents(strategy, events, maxBatch)
}

// unroutable says why an event whose SKU the channel shows as n items is not written, if it
// is not: no item, several under the Skip policy, or more than one call takes.
func unroutable(w *work, n, maxBatch int) (outcome, bool) {
	switch {
	case n == 0:
		return outcome{status: StatusNotApplicable, reason: ReasonSKUNotOnChannel, message: "the channel has no item with this SKU"}, true
	case n > 1 && w.duplicates != v1alpha1.DuplicateSKUsUpdateAll:
		return outcome{status: StatusNotApplicable, reason: ReasonDuplicateSKU, message: fmt.Sprintf("%d channel items share this SKU and duplicateSKUs is Skip", n)}, true
	case n > maxBatch:
		// One event is one call, so its outcome is never partly applied.
		return outcome{status: StatusFailed, reason: ReasonChannelRefused, message: fmt.Sprintf("%d channel items share this SKU, more than the %d one call to the channel takes", n, maxBatch)}, true
	}
	return outcome{}, false
}

// writeEvents coalesces events into calls and writes them.
func (l *lane) writeEvents(strategy v1alpha1.Strategy, events []routed, maxBatch int) {
	for _, c := range coalesce(strategy, events, maxBatch) {
		l.writeCall(strategy, c, maxBatch)
	}
}

// writeCall sends one call and settles its events. A call the channel refuses applied
// nothing: when it carried several events it is split in halves and each half written
// again, so only the event the channel refuses fails; a lone refused event fails with the
// channel's reason. A call without an answer is kept, whole, for a retry to send again.
func (l *lane) writeCall(strategy v1alpha1.Strategy, c *call, maxBatch int) {
	// Increments that sum to zero are sent nowhere.
	var send []int
	for i, ch := range c.changes {
		if strategy != v1alpha1.StrategyIncremental || ch.Quantity != 0 {
			send = append(send, i)
		}
	}
	if len(send) == 0 {
		for _, ev := range c.events {
			l.ledger.settle(ev.work.entry, outcome{status: StatusPushed}, true, nil)
		}
		return
	}
	eventIDs := make([]string, len(c.events))
	for i, ev := range c.events {
		eventIDs[i] = ev.work.key.eventID
	}
	key := writeKey(l.key, string(strategy), eventIDs)
	callChanges := make([]channel.Change, len(send))
	for j, i := range send {
		callChanges[j] = c.changes[i]
	}
	results, err := l.write(strategy, key, eventIDs, callChanges)
	switch {
	case channel.IsRefused(err) && len(c.events) > 1:
		half := len(c.events) / 2
		l.writeEvents(strategy, c.events[:half], maxBatch)
		l.writeEvents(strategy, c.events[half:], maxBatch)
		return
	case channel.IsRefused(err):
		ev := c.events[0]
		l.items.forget(ev.work.sku)
		l.ledger.settle(ev.work.entry, refusedOutcome(err), false, nil)
		return
	case err != nil:
		sent := sentFor(strategy, key, callChanges, send, c)
		for _, ev := range c.events {
			l.ledger.settle(ev.work.entry, unknownOutcome(err), false, sent)
		}
		return
	}
	full := make([]channel.ChangeResult, len(c.changes))
	for j, i := range send {
		full[i] = results[j]
		if results[j].Outcome != channel.Applied {
			l.items.forget(c.changes[i].SKU)
		}
	}
	contributors := make([]int, len(c.changes))
	for _, mine := range c.contributions {
		for _, i := range mine {
			contributors[i]++
		}
	}
	// An event none of whose changes applied, one of them merged with another event's, may
	// have been refused for the other event's part: it is written again without it.
	var again []routed
	for n, ev := range c.events {
		o, applied := changesOutcome(full, c.contributions[n])
		if !applied && len(c.events) > 1 && noneApplied(full, c.contributions[n]) &&
			slices.ContainsFunc(c.contributions[n], func(i int) bool { return contributors[i] > 1 }) {
			again = append(again, ev)
			continue
		}
		l.ledger.settle(ev.work.entry, o, applied, nil)
	}
	if len(again) > 0 {
		half := (len(again) + 1) / 2
		l.writeEvents(strategy, again[:half], maxBatch)
		l.writeEvents(strategy, again[half:], maxBatch)
	}
}

// sentFor records a call whose outcome is unknown with the events it carried; send lists
// the indexes in c.changes of the changes sent.
func sentFor(strategy v1alpha1.Strategy, key string, callChanges []channel.Change, send []int, c *call) *sentWrite {
	pos := make(map[int]int, len(send))
	for j, i := range send {
		pos[i] = j
	}
	sent := newSentWrite(key, strategy, callChanges)
	for n, ev := range c.events {
		var mine []int
		for _, i := range c.contributions[n] {
			if j, ok := pos[i]; ok {
				mine = append(mine, j)
			}
		}
		sent.addEvent(ev.work.key, mine)
	}
	return sent
}

func noneApplied(results []channel.ChangeResult, mine []int) bool {
	return !slices.ContainsFunc(mine, func(i int) bool { return results[i].Outcome == channel.Applied })
}

func (l *lane) write(strategy v1alpha1.Strategy, key string, eventIDs []string, changes []channel.Change) ([]channel.ChangeResult, error) {
	ctx, cancel := context.WithTimeout(l.ctx, l.writeTimeout)
	defer cancel()
	ctx = channel.WithReference(ctx, writeReference(key, eventIDs))
	l.stats.writes.Add(1)
	results, err := l.conn.Write(ctx, strategy, key, changes)
	if err == nil && len(results) != len(changes) {
		err = fmt.Errorf("the connector answered %d results for %d changes", len(results), len(changes))
	}
	return results, err
}

// eventIDs are the ids of the events whose changes the write carries.
func (s *sentWrite) eventIDs() []string {
	ids := make([]string, len(s.events))
	for i, k := range s.events {
		ids[i] = k.eventID
	}
	return ids
}

// writeReference is the reason a write records on the channel: the event it carries, or the
// write itself when it carries several. It depends only on the key and the events, so a
// resent write names the same reason.
func writeReference(key string, eventIDs []string) string {
	if len(eventIDs) == 1 {
		return channel.Reference(channel.ReferenceEvent, eventIDs[0])
	}
	return channel.Reference(channel.ReferenceWrite, key)
}

// changesOutcome is the outcome of an event whose changes are at indexes mine of results.
func changesOutcome(results []channel.ChangeResult, mine []int) (outcome, bool) {
	var refused []string
	for _, i := range mine {
		if results[i].Outcome != channel.Applied {
			refused = append(refused, describeRefusal(results[i]))
		}
	}
	if len(refused) > 0 {
		return outcome{status: StatusFailed, reason: ReasonChannelRefused, message: strings.Join(refused, "; ")}, false
	}
	return outcome{status: StatusPushed}, true
}

func describeRefusal(r channel.ChangeResult) string {
	if r.Reason == "" {
		return r.Outcome.String()
	}
	return r.Outcome.String() + ": " + r.Reason
}

func unavailableOutcome(err error) outcome {
	return outcome{status: StatusFailed, reason: ReasonChannelUnavailable, message: "reading the channel's items failed, nothing was written: " + err.Error()}
}

func refusedOutcome(err error) outcome {
	return outcome{status: StatusFailed, reason: ReasonChannelRefused, message: err.Error()}
}

func unknownOutcome(err error) outcome {
	return outcome{status: StatusFailed, reason: ReasonOutcomeUnknown,
		message: "the channel did not answer, so the change may or may not be applied; send the event again and the relay re-sends the same write: " + err.Error()}
}

// writeKey is the idempotency key of a write: a hash of the channel location, the kind of
// write (its strategy, or allocatedKind), the sorted ids of the events it carries and extra,
// what else fixes its content. The same events coalesced the same way give the same key, so
// a channel that remembers keys applies such a write once even when the relay that sent it
// first is gone.
func writeKey(lane laneKey, kind string, eventIDs []string, extra ...string) string {
	ids := slices.Clone(eventIDs)
	slices.Sort(ids)
	h := sha256.New()
	var num [8]byte
	str := func(s string) {
		binary.BigEndian.PutUint64(num[:], uint64(len(s)))
		h.Write(num[:])
		h.Write([]byte(s))
	}
	str(lane.namespace)
	str(lane.channel)
	str(lane.location)
	str(kind)
	for _, id := range ids {
		str(id)
	}
	for _, x := range extra {
		str(x)
	}
	return "relay-" + hex.EncodeToString(h.Sum(nil)[:20])
}
