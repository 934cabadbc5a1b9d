package relay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// allocatedKind names the writes of allocation targets in their keys: an increment under
// compare-and-swap never shares a key with a plain increment.
const allocatedKind = "Allocated"

// maxAllocatedAttempts bounds the reads and writes of a batch's allocation targets: an item
// that keeps moving between the read and the write fails its events rather than hold the
// lane.
const maxAllocatedAttempts = 3

// allocatedSKU is the events of one SKU under allocation rules in a batch, in queue order,
// and the changes that bring its items to the last event's target.
type allocatedSKU struct {
	works   []*work
	changes []channel.Change
}

// pushAllocated brings the items of each SKU to the target of its last event: targets are
// levels, so the last wins, as for absolute values. A percentage cannot apply to an
// increment, so the lane starts from what the items show (knownLevels: what it last read or
// wrote, read again when unknown, expired or stale), and writes each item's difference from the target as an
// increment under compare-and-swap on the quantity read. An item that moved between the read
// and the write (Stale) is read and written again, up to maxAllocatedAttempts times. Every
// event of a SKU settles with its SKU's write.
func (l *caller) pushAllocated(works []*work) {
	maxBatch := l.maxBatch()
	for attempt := 1; len(works) > 0; attempt++ {
		skus := l.readAllocated(works, maxBatch)
		works = nil
		for _, c := range packAllocated(skus, maxBatch) {
			works = append(works, l.writeAllocated(c, attempt >= maxAllocatedAttempts)...)
		}
	}
}

// readAllocated reads the items of the works' SKUs at their locations and returns, per SKU
// and location with something to write, its events and changes. It settles the events it
// cannot write, and those whose items already show their target: they are applied, without
// a write.
func (l *caller) readAllocated(works []*work, maxBatch int) []*allocatedSKU {
	var out []*allocatedSKU
	locations, grouped := byLocation(works)
	for _, location := range locations {
		skus, read := l.readAllocatedAt(location, grouped[location], maxBatch)
		if !read {
			return nil
		}
		out = append(out, skus...)
	}
	return out
}

// readAllocatedAt is readAllocated for the works of one location; read is false when the
// lane stopped before the channel answered.
func (l *caller) readAllocatedAt(location string, works []*work, maxBatch int) (out []*allocatedSKU, read bool) {
	st, err := l.site(location)
	if err != nil {
		for _, w := range works {
			l.settle(w, outcome{status: StatusFailed, reason: ReasonConfiguration, message: err.Error()})
		}
		return nil, true
	}
	var levels map[string][]channel.Item
	err = l.untilAnswered("reading what the channel's items show", func(ctx context.Context) error {
		var err error
		levels, err = knownLevels(ctx, st, skusOf(works))
		return err
	})
	if err != nil {
		return nil, false
	}
	var order []string
	bySKU := map[string]*allocatedSKU{}
	for _, w := range works {
		if o, unwritable := unroutable(w, len(levels[w.sku]), maxBatch); unwritable {
			l.settle(w, o)
			continue
		}
		s := bySKU[w.sku]
		if s == nil {
			s = &allocatedSKU{}
			bySKU[w.sku] = s
			order = append(order, w.sku)
		}
		s.works = append(s.works, w)
	}
	for _, sku := range order {
		s := bySKU[sku]
		target := s.works[len(s.works)-1].quantity
		if o, ok := s.plan(location, levels[sku], target); !ok {
			s.settle(l, o, "")
			continue
		}
		if len(s.changes) == 0 {
			s.settle(l, outcome{status: StatusPushed, message: fmt.Sprintf("the channel already shows %d; nothing was written", target)}, "")
			continue
		}
		out = append(out, s)
	}
	return out, true
}

// plan sets the changes that bring items to target, each under compare-and-swap on the
// quantity read. It fails when a difference is beyond what one write may carry.
func (s *allocatedSKU) plan(location string, items []channel.Item, target int64) (outcome, bool) {
	for _, it := range items {
		diff, ok := channel.AddQuantities(target, -it.Quantity)
		if !ok {
			return outcome{status: StatusFailed, reason: ReasonChannelRefused,
				message: fmt.Sprintf("item %s shows %d: the difference from the target %d is beyond ±%d", it.ID, it.Quantity, target, channel.MaxQuantity)}, false
		}
		if diff != 0 {
			read := it.Quantity
			s.changes = append(s.changes, channel.Change{ItemID: it.ID, SKU: it.SKU, LocationID: location, Quantity: diff, CompareQuantity: &read})
		}
	}
	return outcome{}, true
}

func (s *allocatedSKU) settle(l *caller, o outcome, key string) {
	for _, w := range s.works {
		l.settleWritten(w, o, key)
	}
}

// knownLevels returns the items of skus at the site's location with the quantities the lane
// knows them to show, each SKU's items sorted by id, once each: what it last read or wrote
// (a compare-and-swap write that applied tells the truth about its item), read again only
// for SKUs it does not know, whose knowledge expired (--item-cache-ttl) or that came back
// stale. A known level that is out of date costs a Stale answer and a read, never a wrong
// write: every change carries the quantity it was computed from.
func knownLevels(ctx context.Context, st *site, skus []string) (map[string][]channel.Item, error) {
	found, err := st.items.lookup(ctx, st.conn, skus)
	if err != nil {
		return nil, err
	}
	levels := make(map[string][]channel.Item, len(skus))
	for _, sku := range skus {
		items := slices.Clone(found[sku])
		slices.SortFunc(items, func(a, b channel.Item) int { return strings.Compare(a.ID, b.ID) })
		levels[sku] = slices.CompactFunc(items, func(a, b channel.Item) bool { return a.ID == b.ID })
	}
	return levels, nil
}

// packAllocated groups SKUs into calls of at most maxBatch changes, a SKU's changes always
// in one call, so its events' outcome is never partly unknown.
func packAllocated(skus []*allocatedSKU, maxBatch int) [][]*allocatedSKU {
	var calls [][]*allocatedSKU
	size := 0
	for _, s := range skus {
		if len(calls) == 0 || size+len(s.changes) > maxBatch {
			calls, size = append(calls, nil), 0
		}
		calls[len(calls)-1] = append(calls[len(calls)-1], s)
		size += len(s.changes)
	}
	return calls
}

// writeAllocated writes the changes of skus in one call and settles their events. It returns
// the events of the SKUs that moved since they were read, to read and write again, unless
// this was the last attempt. A refused call applied nothing: as in writeCall, it is split
// until the SKU the channel refuses is alone. A call without an answer is sent again, with its
// compare quantities, until the channel answers: if the lost call applied, the re-send is
// Stale and the SKU is read and written again, which writes only what is still missing.
func (l *caller) writeAllocated(skus []*allocatedSKU, last bool) []*work {
	var changes []channel.Change
	var eventIDs, content []string
	var works []*work
	var eventChanges [][]int
	for _, s := range skus {
		mine := make([]int, len(s.changes))
		for i := range mine {
			mine[i] = len(changes) + i
		}
		changes = append(changes, s.changes...)
		for _, w := range s.works {
			eventIDs = append(eventIDs, l.eventRef(w))
			works = append(works, w)
			eventChanges = append(eventChanges, mine)
		}
	}
	// The same events may be written again with other differences, after a re-read or in a
	// retry: a key fixed by the events alone would be refused as reused with other content.
	for _, ch := range changes {
		content = append(content, changeRef(ch), strconv.FormatInt(ch.Quantity, 10), strconv.FormatInt(*ch.CompareQuantity, 10))
	}
	key := writeKey(l.key, allocatedKind, eventIDs, content...)
	results, _, err := l.write(v1alpha1.StrategyIncremental, key, works, eventChanges, changes)
	switch {
	case errors.Is(err, errAbandoned):
		return nil
	case channel.IsRefused(err) && len(skus) > 1:
		half := len(skus) / 2
		return append(l.writeAllocated(skus[:half], last), l.writeAllocated(skus[half:], last)...)
	case channel.IsRefused(err):
		for _, ch := range skus[0].changes {
			l.itemsAt(ch.LocationID).forget(ch.SKU)
		}
		skus[0].settle(l, refusedOutcome(err), "")
		return nil
	}
	for i, ch := range changes {
		known := l.itemsAt(ch.LocationID)
		if results[i].Outcome == channel.Applied {
			known.applied(ch.SKU, ch.ItemID, *ch.CompareQuantity+ch.Quantity)
		} else {
			known.forget(ch.SKU)
		}
	}
	var again []*work
	first := 0
	for _, s := range skus {
		mine := make([]int, len(s.changes))
		for i := range mine {
			mine[i] = first + i
		}
		first += len(s.changes)
		o, applied := changesOutcome(results, mine)
		if !applied && onlyStale(results, mine) {
			if !last {
				again = append(again, s.works...)
				continue
			}
			o = outcome{status: StatusFailed, reason: ReasonConcurrentChange,
				message: fmt.Sprintf("the channel's quantity changed between reading and writing it %d times in a row; nothing more was written, send the event again", maxAllocatedAttempts)}
		}
		s.settle(l, o, writtenKey(applied, key))
	}
	return again
}

// onlyStale says whether the changes at mine that did not apply were all Stale: they may
// apply once read again.
func onlyStale(results []channel.ChangeResult, mine []int) bool {
	return !slices.ContainsFunc(mine, func(i int) bool { return results[i].Outcome == channel.Failed })
}
