package relay

import (
	"time"
)

// caller is one of a lane's call slots: it takes queued events whose items no other caller
// is writing, writes them with at most one call to the channel out at a time, recorded as its
// slot's intent in the lease, and records their outcomes before it lets their items go. Two
// callers never write one item at one location at once, so each compare-and-swap a call
// carries is against what its own lane last wrote or read, and an intent inherited after a
// crash touches items no other inherited intent does.
type caller struct {
	*lane
	slot int
	wake chan struct{}

	// settlements are the outcomes decided and not yet recorded; intentOpen says the
	// lease holds this slot's intent, to clear once they are.
	settlements []settlement
	intentOpen  bool
	// held are the items (busyRef) of the events it took.
	held []string
}

func (l *lane) newCaller(slot int) *caller {
	return &caller{lane: l, slot: slot, wake: make(chan struct{}, 1)}
}

// busyRef names the item of an event in lane.busy: its location and SKU. The items of one
// SKU at one location are the channel items an event of it may change.
func busyRef(w *work) string { return w.location + "\x00" + w.sku }

// wakeLocked tells every caller to look at the queue again.
func (l *lane) wakeLocked() {
	for _, c := range l.callers {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// minShare is how many queued events make a caller other than the lane's first send a call:
// below it the first caller's next call takes them, which costs the store fewer points per
// event than a call each, for a few milliseconds more.
func minShare(maxBatch int) int { return max(maxBatch/5, 1) }

// take returns up to n queued works that are not settled yet and whose items no other
// caller holds, and holds their items. A caller other than the first takes nothing while
// fewer than minShare events queue, unless the lane is retiring.
func (c *caller) take(n int) (batch []*work, retired bool) {
	l := c.lane
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.slot > 0 && !l.retired && len(l.queue) < minShare(n) {
		return nil, false
	}
	var rest []*work
	for i, w := range l.queue {
		if len(batch) >= n {
			rest = append(rest, l.queue[i:]...)
			break
		}
		if !l.queued[w.key] {
			continue
		}
		ref := busyRef(w)
		slot, held := l.busy[ref]
		if held && slot != c.slot {
			rest = append(rest, w)
			continue
		}
		if !held {
			l.busy[ref] = c.slot
			c.held = append(c.held, ref)
		}
		batch = append(batch, w)
	}
	l.queue = rest
	return batch, l.retired
}

// release lets go of the items of the events the caller took, once their outcomes are
// recorded, and wakes the callers: events of those items may be waiting.
func (c *caller) release() {
	l := c.lane
	if len(c.held) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ref := range c.held {
		if l.busy[ref] == c.slot {
			delete(l.busy, ref)
		}
	}
	c.held = c.held[:0]
	l.wakeLocked()
}

// loop takes and writes batches until the lane retires with nothing left for it, or stops.
// The first caller retires the lane when it had nothing to do for LaneIdleTimeout.
func (c *caller) loop() {
	idle := time.NewTimer(c.svc.cfg.LaneIdleTimeout)
	defer idle.Stop()
	for {
		batch, retired := c.take(c.maxBatch())
		if len(batch) == 0 {
			// The events waiting are other callers': a resolved intent left for this slot's
			// next call would only be carried along in the lease by theirs.
			if c.clearIntent() != nil || retired {
				return
			}
			var idleC <-chan time.Time
			if c.slot == 0 {
				idleC = idle.C
			}
			select {
			case <-c.wake:
				continue
			case <-idleC:
				c.retire()
				continue
			case <-c.ctx.Done():
			}
			return
		}
		if err := c.connect(batch[0].location); err != nil {
			for _, w := range batch {
				c.settle(w, outcome{status: StatusFailed, reason: ReasonConfiguration, message: err.Error()})
			}
		} else {
			c.process(batch)
		}
		if c.flush() != nil {
			return
		}
		c.release()
		idle.Reset(c.svc.cfg.LaneIdleTimeout)
	}
}
