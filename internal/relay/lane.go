package relay

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
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
	for first := range l.queue {
		batch := []*work{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case w, ok := <-l.queue:
				if !ok {
					break drain
				}
				batch = append(batch, w)
			default:
				break drain
			}
		}
		l.process(batch)
	}
}

// process writes one batch: re-sends first, then increments, then absolute values, each
// strategy in its own calls since a call carries one.
func (l *lane) process(batch []*work) {
	var resent []*sentWrite
	byStrategy := map[v1alpha1.Strategy][]*work{}
	for _, w := range batch {
		if w.resend != nil {
			if !slices.Contains(resent, w.resend) {
				resent = append(resent, w.resend)
			}
			continue
		}
		byStrategy[w.strategy] = append(byStrategy[w.strategy], w)
	}
	for _, sent := range resent {
		l.resendWrite(sent)
	}
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyIncremental, v1alpha1.StrategyAbsolute} {
		if works := byStrategy[strategy]; len(works) > 0 {
			l.push(strategy, works)
		}
	}
}

// resendWrite sends a write whose outcome was unknown again, with its key and changes.
func (l *lane) resendWrite(sent *sentWrite) {
	results, err := l.write(sent.strategy, sent.key, sent.eventIDs(), sent.changes)
	l.ledger.settleSent(sent, func(i int) (outcome, bool, bool) {
		if err != nil {
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
		o := outcome{status: StatusFailed, reason: ReasonChannelUnavailable, message: "reading the channel's items failed, nothing was written: " + err.Error()}
		for _, w := range works {
			l.ledger.settle(w.key, w.entry, o, false, nil)
		}
		return
	}

	var changes []channel.Change
	changeOf := map[string]int{}
	var included []*work
	var contributions [][]int
	for _, w := range works {
		items := ids[w.sku]
		switch {
		case len(items) == 0:
			l.ledger.settle(w.key, w.entry, outcome{status: StatusNotApplicable, reason: ReasonSKUNotOnChannel, message: "the channel has no item with this SKU"}, false, nil)
			continue
		case len(items) > 1 && w.duplicates != v1alpha1.DuplicateSKUsUpdateAll:
			l.ledger.settle(w.key, w.entry, outcome{status: StatusNotApplicable, reason: ReasonDuplicateSKU, message: fmt.Sprintf("%d channel items share this SKU and duplicateSKUs is Skip", len(items))}, false, nil)
			continue
		}
		var mine []int
		for _, id := range items {
			i, ok := changeOf[id]
			if !ok {
				i = len(changes)
				changeOf[id] = i
				changes = append(changes, channel.Change{ItemID: id, SKU: w.sku})
			}
			if strategy == v1alpha1.StrategyIncremental {
				changes[i].Quantity += w.quantity
			} else {
				changes[i].Quantity = w.quantity
			}
			mine = append(mine, i)
		}
		included = append(included, w)
		contributions = append(contributions, mine)
	}
	if len(included) == 0 {
		return
	}
	l.writeChanges(strategy, included, contributions, changes)
}

// changeState is what became of one merged change.
type changeState struct {
	result channel.ChangeResult
	// sent is set when the call carrying the change failed without an answer.
	sent *sentWrite
	// skipped: an increment that summed to zero, sent nowhere.
	skipped bool
}

// writeChanges sends the merged changes and settles every included event.
func (l *lane) writeChanges(strategy v1alpha1.Strategy, included []*work, contributions [][]int, changes []channel.Change) {
	states := make([]changeState, len(changes))
	var send []int
	for i, ch := range changes {
		if strategy == v1alpha1.StrategyIncremental && ch.Quantity == 0 {
			states[i] = changeState{result: channel.ChangeResult{Outcome: channel.Applied}, skipped: true}
			continue
		}
		send = append(send, i)
	}
	eventIDs := make([]string, len(included))
	for i, w := range included {
		eventIDs[i] = w.key.eventID
	}
	key := writeKey(l.key, strategy, eventIDs)
	maxBatch := max(l.conn.MaxBatch(), 1)
	chunks := (len(send) + maxBatch - 1) / maxBatch
	for c := range chunks {
		part := send[c*maxBatch : min((c+1)*maxBatch, len(send))]
		callKey := key
		if chunks > 1 {
			callKey = key + "-" + strconv.Itoa(c+1)
		}
		callChanges := make([]channel.Change, len(part))
		for j, i := range part {
			callChanges[j] = changes[i]
		}
		sent := l.sentFor(strategy, callKey, callChanges, part, included, contributions)
		results, err := l.write(strategy, callKey, sent.eventIDs(), callChanges)
		if err != nil {
			for _, i := range part {
				states[i] = changeState{sent: sent, result: channel.ChangeResult{Outcome: channel.Failed, Reason: err.Error()}}
			}
			continue
		}
		for j, i := range part {
			states[i] = changeState{result: results[j]}
			if results[j].Outcome != channel.Applied {
				l.items.forget(changes[i].SKU)
			}
		}
	}
	for n, w := range included {
		var sent *sentWrite
		var unknown, refused []string
		for _, i := range contributions[n] {
			st := states[i]
			switch {
			case st.sent != nil:
				sent = st.sent
				unknown = append(unknown, st.result.Reason)
			case st.result.Outcome != channel.Applied:
				refused = append(refused, describeRefusal(st.result))
			}
		}
		switch {
		case sent != nil:
			l.ledger.settle(w.key, w.entry, unknownOutcome(fmt.Errorf("%s", strings.Join(unknown, "; "))), false, sent)
		case len(refused) > 0:
			l.ledger.settle(w.key, w.entry, outcome{status: StatusFailed, reason: ReasonChannelRefused, message: strings.Join(refused, "; ")}, false, nil)
		default:
			l.ledger.settle(w.key, w.entry, outcome{status: StatusPushed}, true, nil)
		}
	}
}

// sentFor records a call whose outcome is unknown with the events it carried.
func (l *lane) sentFor(strategy v1alpha1.Strategy, key string, callChanges []channel.Change, part []int, included []*work, contributions [][]int) *sentWrite {
	pos := make(map[int]int, len(part))
	for j, i := range part {
		pos[i] = j
	}
	sent := &sentWrite{key: key, strategy: strategy, changes: callChanges}
	for n, w := range included {
		var mine []int
		for _, i := range contributions[n] {
			if j, ok := pos[i]; ok {
				mine = append(mine, j)
			}
		}
		if len(mine) > 0 {
			sent.events = append(sent.events, w.key)
			sent.eventChanges = append(sent.eventChanges, mine)
		}
	}
	return sent
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

func unknownOutcome(err error) outcome {
	return outcome{status: StatusFailed, reason: ReasonOutcomeUnknown,
		message: "the channel did not answer, so the change may or may not be applied; send the event again and the relay re-sends the same write: " + err.Error()}
}

// writeKey is the idempotency key of a write: a hash of the channel location, the strategy
// and the sorted ids of the events it carries. The same events coalesced the same way give
// the same key, so a channel that remembers keys applies such a write once even when the
// relay that sent it first is gone.
func writeKey(lane laneKey, strategy v1alpha1.Strategy, eventIDs []string) string {
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
	str(string(strategy))
	for _, id := range ids {
		str(id)
	}
	return "relay-" + hex.EncodeToString(h.Sum(nil)[:20])
}
