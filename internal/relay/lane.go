package relay

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/metrics"
)

// work is one accepted event bound for this lane, as its claim holds it.
type work struct {
	key        string
	location   string
	rev        uint64
	claim      ledger.Claim
	sku        string
	strategy   v1alpha1.Strategy
	quantity   int64
	duplicates v1alpha1.DuplicateSKUPolicy
	// allocated: quantity is what the channel should show under allocation rules
	// (target.allocated).
	allocated bool
}

func workOf(u ledger.ClaimUpdate) *work {
	w := u.Claim.Work
	location := w.Location
	if location == "" {
		location = u.Claim.Lane.Location
	}
	return &work{key: u.Key, location: location, rev: u.Revision, claim: u.Claim, sku: w.SKU, strategy: w.Strategy, quantity: w.Quantity, duplicates: w.Duplicates, allocated: w.Allocated}
}

// errAbandoned: the lane stopped (its lease was lost, or the relay was killed) before the
// channel answered; what it carried stays accepted in the ledger, with its intent, for the
// next writer.
var errAbandoned = errors.New("the lane stopped before the channel answered")

// lane writes one channel location, or a whole Shopify store, while this replica holds its
// lease: a connector per location, reused, and its callers, each with one call out at a time
// (a store's lane has several, a webhook location's one). While calls are out, accepted
// events queue, and a caller's next call takes up to MaxBatch of their changes, of any
// locations of the lane, whose items no other caller is writing. Every call is recorded as
// its caller's intent in the lease first, and every outcome in the ledger before the intent
// is cleared.
type lane struct {
	svc   *Service
	key   ledger.Lane
	lease *ledger.Lease
	// ctx ends when the lease is lost or the relay is killed: no call starts after that.
	ctx    context.Context
	cancel context.CancelFunc

	// siteMu guards the channel's connection and the sites, which every caller uses.
	siteMu      sync.Mutex
	fingerprint [sha256.Size]byte
	channel     *v1alpha1.SalesChannel
	credential  []byte
	// sites are the locations written, each with its connector; conn is the first built,
	// which sends the calls (a Shopify call names each change's location).
	sites map[string]*site
	conn  channel.Connector

	callers []*caller

	mu     sync.Mutex
	queue  []*work
	queued map[string]bool
	// busy are the items (location and SKU) of the events callers took and have not
	// settled, with the caller's slot: no other caller takes an event of them meanwhile.
	busy    map[string]int
	retired bool
	killed  bool
	done    chan struct{}
}

type settlement struct {
	w        *work
	o        outcome
	writeKey string
}

// outcome is what a lane reports for one event.
type outcome struct {
	status  Status
	reason  string
	message string
}

func (s *Service) newLane(key ledger.Lane, lease *ledger.Lease) *lane {
	ctx, cancel := context.WithCancel(s.ctx)
	l := &lane{svc: s, key: key, lease: lease, ctx: ctx, cancel: cancel, queued: map[string]bool{}, busy: map[string]int{}, done: make(chan struct{})}
	callers := 1
	if key.Location == "" {
		// A store's writer: calls name their locations, and the store's rate limit, not one
		// call's round trip, should bound what it writes.
		callers = s.cfg.CallsPerStore
	}
	for slot := range callers {
		l.callers = append(l.callers, l.newCaller(slot))
	}
	return l
}

// offer queues an accepted claim, once.
func (l *lane) offer(u ledger.ClaimUpdate) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.queued[u.Key] || l.retired {
		return
	}
	l.queued[u.Key] = true
	l.queue = append(l.queue, workOf(u))
	l.wakeLocked()
}

// forget drops a settled claim: it may have been queued before another writer settled it.
func (l *lane) forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.queued, key)
}

// retire stops taking work; the callers finish what is queued, the lane releases the lease
// and exits.
func (l *lane) retire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.retired = true
	l.wakeLocked()
}

// kill stops the callers at once and keeps the lease, as a crash would.
func (l *lane) kill() {
	l.mu.Lock()
	l.killed, l.retired = true, true
	l.mu.Unlock()
	l.cancel()
}

// waiting says whether events are queued.
func (l *lane) waiting() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue) > 0 && !l.retired
}

func (l *lane) run() {
	defer close(l.done)
	defer l.cancel()
	metrics.RelayLanes(1)
	defer metrics.RelayLanes(-1)
	go l.renew()
	for _, in := range l.lease.Inherited() {
		c := l.newCaller(in.Slot)
		if in.Slot < len(l.callers) {
			c = l.callers[in.Slot]
		}
		if err := c.resolveInherited(in); err != nil {
			return
		}
	}
	var wg sync.WaitGroup
	for _, c := range l.callers {
		wg.Go(c.loop)
	}
	wg.Wait()
	l.mu.Lock()
	killed := l.killed
	l.mu.Unlock()
	if !killed && l.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.lease.Release(ctx)
	}
}

func (l *lane) maxBatch() int {
	l.siteMu.Lock()
	defer l.siteMu.Unlock()
	if l.conn == nil {
		return 250
	}
	return max(l.conn.MaxBatch(), 1)
}

// eventRef names an event's claim in write keys: its id, with its location on a store's
// lane, where one event may reach several locations.
func (l *lane) eventRef(w *work) string {
	if l.key.Location != "" {
		return w.claim.EventID
	}
	return w.claim.EventID + "@" + w.location
}

// renew keeps the lease while the lane runs; a lease found lost stops the callers before
// their next calls.
func (l *lane) renew() {
	t := time.NewTicker(l.svc.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-l.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(l.ctx, l.svc.cfg.LeaseTTL/3)
		err := l.lease.Renew(ctx)
		cancel()
		if errors.Is(err, ledger.ErrLostLane) {
			l.svc.cfg.Log.Info("lost a channel location's lease; another replica writes it", "lane", l.key.String())
			l.cancel()
			return
		}
	}
}

// connect builds the connector when the lane has none, or when the channel's connection or
// credential changed.
func (l *lane) connect(location string) error {
	l.siteMu.Lock()
	defer l.siteMu.Unlock()
	scope, err := l.svc.cfg.Directory.Scope(l.ctx)
	if err != nil {
		return fmt.Errorf("reading the channels in scope: %w", err)
	}
	var ch *v1alpha1.SalesChannel
	for i := range scope.Channels {
		if c := &scope.Channels[i]; c.Namespace == l.key.Namespace && c.Name == l.key.Channel {
			ch = c
		}
	}
	if ch == nil {
		return fmt.Errorf("the SalesChannel %s is no longer in scope", l.key.Channel)
	}
	credential, err := l.svc.cfg.Directory.Credential(l.ctx, ch)
	if err != nil {
		return fmt.Errorf("reading the channel's credential: %w", err)
	}
	fp := connectionFingerprint(ch, credential)
	if l.sites != nil && fp == l.fingerprint {
		return nil
	}
	l.channel, l.credential, l.fingerprint = ch, credential, fp
	l.sites, l.conn = map[string]*site{}, nil
	// The connector of the first location to write is built now, so a channel that cannot
	// be connected fails its events with the reason.
	if _, err := l.siteLocked(location); err != nil {
		l.sites = nil
		return err
	}
	return nil
}

// process writes one batch: levels superseded since they were accepted settle first, then
// increments, then absolute values, each strategy in its own calls since a call carries one,
// then the targets of allocation rules, last since they bring an item to a level whatever
// the others did.
func (l *caller) process(batch []*work) {
	var allocated []*work
	byStrategy := map[v1alpha1.Strategy][]*work{}
	for _, w := range batch {
		if l.superseded(w) {
			continue
		}
		if w.allocated {
			allocated = append(allocated, w)
			continue
		}
		byStrategy[w.strategy] = append(byStrategy[w.strategy], w)
	}
	for _, strategy := range []v1alpha1.Strategy{v1alpha1.StrategyIncremental, v1alpha1.StrategyAbsolute} {
		if works := byStrategy[strategy]; len(works) > 0 && l.ctx.Err() == nil {
			l.push(strategy, works)
		}
	}
	if len(allocated) > 0 && l.ctx.Err() == nil {
		l.pushAllocated(allocated)
	}
}

// superseded settles a level event for which a newer level was recorded since it was
// accepted: two replicas may accept two levels in one order and claim them in the other.
func (l *caller) superseded(w *work) bool {
	seq := w.claim.Work.Sequence
	if seq == nil {
		return false
	}
	newer, err := l.svc.store.Superseded(l.ctx, w.claim.Work.FulfillmentChannel, w.claim.Work.LevelSKU(), *seq, w.claim.EventID)
	if err != nil || !newer {
		return false
	}
	l.settle(w, outcome{status: StatusNotApplicable, reason: ReasonSuperseded, message: fmt.Sprintf("a level with a sequence newer than %d was recorded for this SKU; this one was written nowhere", *seq)})
	return true
}

// settle decides an event's outcome; flush records it.
func (l *caller) settle(w *work, o outcome) {
	l.settlements = append(l.settlements, settlement{w: w, o: o})
}

// settleWritten decides the outcome of an event carried by the write under key.
func (l *caller) settleWritten(w *work, o outcome, key string) {
	l.settlements = append(l.settlements, settlement{w: w, o: o, writeKey: key})
}

// flush records the decided outcomes in the ledger, together, then clears the intent they
// resolve: in that order, so a writer that dies in between leaves an intent whose re-send the
// channel deduplicates, never a claim that looks unwritten after its write applied. While
// events wait, the resolved intent is left for the next call's to replace (a writer taking
// over skips an intent whose claims are settled), which saves a ledger write per call. It
// fails only when the lane stopped.
func (l *caller) flush() error {
	pending := l.settlements
	l.settlements = nil
	for attempt := 0; len(pending) > 0; attempt++ {
		pending = l.record(pending)
		if len(pending) > 0 {
			l.svc.cfg.Log.Info("recording outcomes in the ledger failed; retrying", "lane", l.key.String(), "outcomes", len(pending))
			if retry.Sleep(l.ctx, retry.Backoff(attempt, 100*time.Millisecond, 5*time.Second)) != nil {
				return errAbandoned
			}
		}
	}
	// A caller beyond the lane's own (one resolving an intent of a slot the lane no longer
	// has) leaves nothing for a next call to replace.
	if l.waiting() && l.slot < len(l.callers) {
		return nil
	}
	return l.clearIntent()
}

// clearIntent clears the slot's intent in the lease, if it holds one; its claims must be
// settled. It fails only when the lane stopped.
func (l *caller) clearIntent() error {
	for attempt := 0; l.intentOpen; attempt++ {
		err := l.lease.ClearIntent(l.ctx, l.slot)
		switch {
		case err == nil:
			l.intentOpen = false
			return nil
		case errors.Is(err, ledger.ErrLostLane):
			l.cancel()
			return errAbandoned
		}
		if retry.Sleep(l.ctx, retry.Backoff(attempt, 100*time.Millisecond, 5*time.Second)) != nil {
			return errAbandoned
		}
	}
	return nil
}

// record writes outcomes, in atomic batches, and returns those that could not be written; a
// claim another writer settled first keeps that outcome.
func (l *caller) record(sts []settlement) (failed []settlement) {
	batch := make([]ledger.Settlement, len(sts))
	for i, st := range sts {
		c := st.w.claim
		c.Outcome = &ledger.Outcome{Status: string(st.o.status), Reason: st.o.reason, Message: st.o.message}
		c.SettledAt = l.svc.cfg.Now()
		c.WriteKey = st.writeKey
		batch[i] = ledger.Settlement{Key: st.w.key, Rev: st.w.rev, Claim: c}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, err := range l.svc.store.SettleAll(ctx, batch) {
		if err == nil || errors.Is(err, ledger.ErrConflict) {
			l.forget(sts[i].w.key)
			continue
		}
		failed = append(failed, sts[i])
	}
	return failed
}

// push writes one strategy's events: it maps SKUs to items, merges the events of each item
// into one change (increments add up; for absolute values the last event wins), and writes
// the changes in calls of up to MaxBatch.
func (l *caller) push(strategy v1alpha1.Strategy, works []*work) {
	l.pushAttempt(strategy, works, 1)
}

// maxStaleAttempts bounds the reads and writes of increments whose items keep moving on the
// channel between the lane's read and its write.
const maxStaleAttempts = 5

func (l *caller) pushAttempt(strategy v1alpha1.Strategy, works []*work, attempt int) {
	maxBatch := l.maxBatch()
	var events []routed
	locations, grouped := byLocation(works)
	for _, location := range locations {
		works := grouped[location]
		st, err := l.site(location)
		if err != nil {
			for _, w := range works {
				l.settle(w, outcome{status: StatusFailed, reason: ReasonConfiguration, message: err.Error()})
			}
			continue
		}
		var found map[string][]channel.Item
		err = l.untilAnswered("reading the channel's items", func(ctx context.Context) error {
			var err error
			found, err = st.items.lookup(ctx, st.conn, skusOf(works))
			return err
		})
		if err != nil {
			return
		}
		for _, w := range works {
			ids := make([]string, 0, len(found[w.sku]))
			for _, it := range found[w.sku] {
				ids = append(ids, it.ID)
			}
			items := slices.Compact(slices.Sorted(slices.Values(ids)))
			if o, unwritable := unroutable(w, len(items), maxBatch); unwritable {
				l.settle(w, o)
				continue
			}
			events = append(events, routed{work: w, items: items})
		}
	}
	l.writeEvents(strategy, events, maxBatch, attempt)
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
func (l *caller) writeEvents(strategy v1alpha1.Strategy, events []routed, maxBatch, attempt int) {
	var moved []*work
	for _, c := range coalesce(strategy, events, maxBatch) {
		moved = append(moved, l.writeCall(strategy, c, maxBatch, attempt)...)
	}
	if len(moved) == 0 {
		return
	}
	if attempt >= maxStaleAttempts {
		for _, w := range moved {
			l.settle(w, outcome{status: StatusFailed, reason: ReasonConcurrentChange,
				message: fmt.Sprintf("the item's quantity changed on the channel between reading and writing it %d times in a row; nothing was written, send the event again", maxStaleAttempts)})
		}
		return
	}
	l.pushAttempt(strategy, moved, attempt+1)
}

// writeCall sends one call and settles its events. Each increment carries the quantity the
// lane knows its item to show (compare-and-swap), so a call sent twice, by a retry or by a
// replica taking over, never applies twice even where the channel ignores its key. A call
// the channel refuses applied nothing: when it carried several events it is split in halves
// and each half written again, so only the event the channel refuses fails; a lone refused
// event fails with the channel's reason. It returns the events whose items moved on the
// channel since they were read, to read and write again.
func (l *caller) writeCall(strategy v1alpha1.Strategy, c *call, maxBatch, attempt int) []*work {
	// Increments that sum to zero are sent nowhere.
	var send []int
	for i, ch := range c.changes {
		if strategy != v1alpha1.StrategyIncremental || ch.Quantity != 0 {
			send = append(send, i)
		}
	}
	if len(send) == 0 {
		for _, ev := range c.events {
			l.settle(ev.work, outcome{status: StatusPushed})
		}
		return nil
	}
	works := make([]*work, len(c.events))
	eventIDs := make([]string, len(c.events))
	for i, ev := range c.events {
		works[i], eventIDs[i] = ev.work, l.eventRef(ev.work)
	}
	callChanges := make([]channel.Change, len(send))
	pos := make(map[int]int, len(send))
	var content []string
	for j, i := range send {
		ch := c.changes[i]
		if strategy == v1alpha1.StrategyIncremental {
			if known, ok := l.itemsAt(ch.LocationID).level(ch.SKU, ch.ItemID); ok {
				ch.CompareQuantity = &known
				// The same events written from another quantity are another write.
				content = append(content, changeRef(ch), strconv.FormatInt(ch.Quantity, 10), strconv.FormatInt(known, 10))
			}
		}
		callChanges[j] = ch
		pos[i] = j
	}
	key := writeKey(l.key, string(strategy), eventIDs, content...)
	eventChanges := make([][]int, len(c.events))
	for n := range c.events {
		for _, i := range c.contributions[n] {
			if j, ok := pos[i]; ok {
				eventChanges[n] = append(eventChanges[n], j)
			}
		}
	}
	results, resent, err := l.write(strategy, key, works, eventChanges, callChanges)
	switch {
	case errors.Is(err, errAbandoned):
		return nil
	case channel.IsRefused(err) && len(c.events) > 1:
		half := len(c.events) / 2
		l.writeEvents(strategy, c.events[:half], maxBatch, attempt)
		l.writeEvents(strategy, c.events[half:], maxBatch, attempt)
		return nil
	case channel.IsRefused(err):
		ev := c.events[0]
		l.itemsAt(ev.work.location).forget(ev.work.sku)
		l.settle(ev.work, refusedOutcome(err))
		return nil
	}
	full := make([]channel.ChangeResult, len(c.changes))
	for j, i := range send {
		full[i] = results[j]
		ch := callChanges[j]
		switch {
		case results[j].Outcome != channel.Applied:
			l.itemsAt(ch.LocationID).forget(ch.SKU)
		case ch.CompareQuantity != nil:
			l.itemsAt(ch.LocationID).applied(ch.SKU, ch.ItemID, *ch.CompareQuantity+ch.Quantity)
		case strategy == v1alpha1.StrategyAbsolute:
			l.itemsAt(ch.LocationID).applied(ch.SKU, ch.ItemID, ch.Quantity)
		}
	}
	contributors := make([]int, len(c.changes))
	for _, mine := range c.contributions {
		for _, i := range mine {
			contributors[i]++
		}
	}
	// An event none of whose changes applied, one of them merged with another event's, may
	// have been refused for the other event's part: it is written again without it. An
	// event whose items moved is read and written again, unless the call was sent more than
	// once: then a moved item may be this call's own first send, and the event is reported.
	var again []routed
	var moved []*work
	for n, ev := range c.events {
		mine := c.contributions[n]
		if staleAmong(full, mine) {
			switch {
			case resent:
				metrics.RelayUnresolvedWrite()
				l.settle(ev.work, outcome{status: StatusFailed, reason: ReasonOutcomeUnknown,
					message: "a write of this event had no answer, and when sent again the item no longer showed the quantity it was written against: the first send may have applied; compare the channel with the warehouse"})
			case noneApplied(full, mine) && !failedAmong(full, mine):
				moved = append(moved, ev.work)
			default:
				l.settle(ev.work, outcome{status: StatusFailed, reason: ReasonPartlyApplied,
					message: "some of the items sharing this SKU took the change and others had moved on the channel; compare the channel with the warehouse"})
			}
			continue
		}
		o, applied := changesOutcome(full, mine)
		if !applied && len(c.events) > 1 && noneApplied(full, mine) &&
			slices.ContainsFunc(mine, func(i int) bool { return contributors[i] > 1 }) {
			again = append(again, ev)
			continue
		}
		l.settleWritten(ev.work, o, writtenKey(applied, key))
	}
	if len(again) > 0 {
		half := (len(again) + 1) / 2
		l.writeEvents(strategy, again[:half], maxBatch, attempt)
		l.writeEvents(strategy, again[half:], maxBatch, attempt)
	}
	return moved
}

func staleAmong(results []channel.ChangeResult, mine []int) bool {
	return slices.ContainsFunc(mine, func(i int) bool { return results[i].Outcome == channel.Stale })
}

func failedAmong(results []channel.ChangeResult, mine []int) bool {
	return slices.ContainsFunc(mine, func(i int) bool { return results[i].Outcome == channel.Failed })
}

func noneApplied(results []channel.ChangeResult, mine []int) bool {
	return !slices.ContainsFunc(mine, func(i int) bool { return results[i].Outcome == channel.Applied })
}

// write sends one call: it records the call as the lane's intent first, which also proves
// the lease is still this replica's, then calls the channel. A call without an answer (a
// timeout, a reset connection, a 5xx, a channel that keeps throttling) is sent again, with
// the same key and changes, with backoff, until the channel answers: the relay retries, not
// the sender. It returns errAbandoned when the lane stops first; the intent stays for the
// next writer.
func (l *caller) write(strategy v1alpha1.Strategy, key string, works []*work, eventChanges [][]int, changes []channel.Change) ([]channel.ChangeResult, bool, error) {
	if err := l.flush(); err != nil {
		return nil, false, err
	}
	intent := ledger.Intent{Key: key, Strategy: strategy, Changes: changes, EventChanges: eventChanges, At: l.svc.cfg.Now(), Slot: l.slot}
	for _, w := range works {
		intent.Claims = append(intent.Claims, w.key)
		intent.EventIDs = append(intent.EventIDs, w.claim.EventID)
	}
	return l.send(intent)
}

// send records intent and sends it until the channel answers; resent says it took more than
// one send, so the first may have applied.
func (l *caller) send(intent ledger.Intent) (results []channel.ChangeResult, resent bool, err error) {
	for attempt := 0; ; attempt++ {
		if err := l.recordIntent(intent); err != nil {
			return nil, attempt > 0, err
		}
		l.intentOpen = true
		ctx, cancel := context.WithTimeout(l.ctx, l.svc.cfg.WriteTimeout)
		ctx = channel.WithReference(ctx, writeReference(intent.Key, intent.EventIDs))
		l.svc.stats.writes.Add(1)
		conn, err := l.writer(intent.Changes)
		if err == nil {
			results, err = conn.Write(ctx, intent.Strategy, intent.Key, intent.Changes)
		}
		cancel()
		if err == nil && len(results) != len(intent.Changes) {
			err = fmt.Errorf("the connector answered %d results for %d changes", len(results), len(intent.Changes))
		}
		if err == nil || channel.IsRefused(err) {
			return results, attempt > 0, err
		}
		l.svc.stats.retries.Add(1)
		metrics.RelayWriteRetry()
		l.svc.cfg.Log.Info("the channel did not answer a write; sending it again", "lane", l.key.String(), "key", intent.Key, "attempt", attempt+1, "error", err.Error())
		if retry.Sleep(l.ctx, retry.Backoff(attempt, l.svc.cfg.RetryFirst, l.svc.cfg.RetryLimit)) != nil {
			return nil, true, errAbandoned
		}
	}
}

// recordIntent records the intent, retrying while the ledger cannot be reached: no call
// goes out unrecorded.
func (l *caller) recordIntent(intent ledger.Intent) error {
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(l.ctx, 10*time.Second)
		err := l.lease.RecordIntent(ctx, intent)
		cancel()
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ledger.ErrLostLane):
			l.cancel()
			return errAbandoned
		}
		if retry.Sleep(l.ctx, retry.Backoff(attempt, 100*time.Millisecond, 5*time.Second)) != nil {
			return errAbandoned
		}
	}
}

// untilAnswered runs a read of the channel until it succeeds, with backoff, or the lane
// stops (errAbandoned): a channel that is down delays its events, it does not fail them.
func (l *caller) untilAnswered(what string, read func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(l.ctx, l.svc.cfg.WriteTimeout)
		l.svc.stats.lookups.Add(1)
		err := read(ctx)
		cancel()
		if err == nil {
			return nil
		}
		l.svc.cfg.Log.Info(what+" failed; trying again", "lane", l.key.String(), "attempt", attempt+1, "error", err.Error())
		if retry.Sleep(l.ctx, retry.Backoff(attempt, l.svc.cfg.RetryFirst, l.svc.cfg.RetryLimit)) != nil {
			return errAbandoned
		}
	}
}

// writtenKey is the key recorded with an event's outcome: the write that applied it.
func writtenKey(applied bool, key string) string {
	if applied {
		return key
	}
	return ""
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

func refusedOutcome(err error) outcome {
	return outcome{status: StatusFailed, reason: ReasonChannelRefused, message: err.Error()}
}

// writeKey is the idempotency key of a write: a hash of the channel location, the kind of
// write (its strategy, or allocatedKind), the sorted ids of the events it carries and extra,
// what else fixes its content. The same events coalesced the same way give the same key, so
// a channel that remembers keys applies such a write once even when the relay that sent it
// first is gone.
func writeKey(lane ledger.Lane, kind string, eventIDs []string, extra ...string) string {
	ids := slices.Clone(eventIDs)
	slices.Sort(ids)
	h := sha256.New()
	var num [8]byte
	str := func(s string) {
		binary.BigEndian.PutUint64(num[:], uint64(len(s)))
		h.Write(num[:])
		h.Write([]byte(s))
	}
	str(lane.Namespace)
	str(lane.Channel)
	str(lane.Location)
	str(kind)
	for _, id := range ids {
		str(id)
	}
	for _, x := range extra {
		str(x)
	}
	return "relay-" + hex.EncodeToString(h.Sum(nil)[:20])
}
