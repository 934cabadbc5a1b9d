package syncrun

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/reservation"
)

// pusher writes a plan's pending items and records what became of each.
type pusher struct {
	cat      *catalog
	pending  []uint32
	ledger   *ledger
	conn     channel.Connector
	strategy v1alpha1.Strategy
	runID    string
	workers  int
	progress int
	log      *slog.Logger
	// retarget, when set, returns the channel SKUs' targets with the reservations read again.
	retarget func(context.Context) (*fulfillment.Levels, reservation.Reserved, error)
	// target holds the targets of items recomputed after a stale write; sold the units their
	// channel quantity fell by while the run wrote them. Both change between rounds only.
	target map[uint32]int64
	sold   map[uint32]int64

	batchesSent atomic.Int64
}

// targetOf is what item i is written: its SKU's level, or its target recomputed after a
// stale write.
func (p *pusher) targetOf(i uint32) int64 {
	if t, ok := p.target[i]; ok {
		return t
	}
	return p.cat.sku(i).Quantity
}

// round sends the pending items at positions in batches of the connector's size, with up to
// p.workers batches in flight. It stops handing out batches once stop is done; writes use
// writeCtx, which outlives stop so that batches in flight can finish.
func (p *pusher) round(stop, writeCtx context.Context, round int, positions []uint32) {
	batches := make(chan []uint32)
	go func() {
		defer close(batches)
		for batch := range slices.Chunk(positions, max(1, p.conn.MaxBatch())) {
			select {
			case <-stop.Done():
				return
			case batches <- batch:
			}
		}
	}()
	total := (len(positions) + max(1, p.conn.MaxBatch()) - 1) / max(1, p.conn.MaxBatch())
	var sent atomic.Int64
	var wg sync.WaitGroup
	for range p.workers {
		wg.Go(func() {
			for batch := range batches {
				if stop.Err() != nil {
					// Handed out as the run was told to stop: leave it unsent.
					continue
				}
				p.write(writeCtx, round, batch)
				n := sent.Add(1)
				p.batchesSent.Add(1)
				if n%int64(p.progress) == 0 {
					p.log.Info("sync progress", "round", round, "batches", n, "of", total)
				}
			}
		})
	}
	wg.Wait()
}

// quantity is what a change writes for an item whose channel quantity is current and whose
// SKU's level is level: the level, or with Incremental the difference, which like every
// increment must stay within ±channel.MaxQuantity.
func (p *pusher) quantity(level, current int64) (int64, error) {
	if p.strategy != v1alpha1.StrategyIncremental {
		return level, nil
	}
	if err := channel.CheckQuantity("the channel's quantity", current); err != nil {
		return 0, err
	}
	delta, ok := channel.AddQuantities(level, -current)
	if !ok {
		return 0, fmt.Errorf("the increment from %d to %d is out of range: increments are bounded by ±%d", current, level, channel.MaxQuantity)
	}
	return delta, nil
}

// write sends one batch and records each item's outcome.
func (p *pusher) write(ctx context.Context, round int, batch []uint32) {
	changes := make([]channel.Change, 0, len(batch))
	compare := make([]int64, len(batch))
	sent := make([]uint32, 0, len(batch))
	for _, pos := range batch {
		i := p.pending[pos]
		level := p.cat.sku(i)
		j := len(changes)
		compare[j] = p.cat.quantity[i]
		quantity, err := p.quantity(p.targetOf(i), compare[j])
		if err != nil {
			p.ledger.fail(pos, err.Error())
			continue
		}
		changes = append(changes, channel.Change{ItemID: p.cat.id(i), SKU: level.SKU, Quantity: quantity, CompareQuantity: &compare[j], Stock: p.cat.notStocked[i]})
		sent = append(sent, pos)
	}
	if len(changes) == 0 {
		return
	}
	batch = sent
	key := batchKey(p.runID, p.strategy, round, changes)
	results, err := p.conn.Write(ctx, p.strategy, key, changes)
	if err == nil && len(results) != len(changes) {
		err = fmt.Errorf("connector returned %d results for %d changes", len(results), len(changes))
	}
	if err != nil {
		p.log.Warn("batch write failed", append([]any{"round", round, "changes", len(changes)}, errorAttrs(err)...)...)
		reason := "write failed: " + err.Error()
		for _, pos := range batch {
			p.ledger.fail(pos, reason)
		}
		return
	}
	for j, res := range results {
		switch res.Outcome {
		case channel.Applied:
			p.ledger.set(batch[j], applied)
		case channel.Stale:
			p.ledger.set(batch[j], stale)
		default:
			reason := res.Reason
			if reason == "" {
				reason = "refused by the channel"
			}
			p.ledger.fail(batch[j], reason)
		}
	}
}

// refresh re-reads the items at the stale positions and returns those that still need a
// write, with the quantity the channel shows now as their new compare value. Items already
// at the feed's value are settled; items the channel no longer shows fail.
func (p *pusher) refresh(ctx context.Context, positions []uint32) []uint32 {
	byItem := make(map[uint32]uint32, len(positions))
	if p.sold == nil {
		p.sold = map[uint32]int64{}
	}
	var skus []string
	for _, pos := range positions {
		i := p.pending[pos]
		byItem[i] = pos
		if sku := p.cat.sku(i).SKU; len(skus) == 0 || skus[len(skus)-1] != sku {
			skus = append(skus, sku)
		}
	}
	seen := make(map[uint32]bool, len(positions))
	err := p.conn.Items(ctx, skus, func(item channel.Item) error {
		k, ok := levelIndex(p.cat.levels, item.SKU)
		if !ok {
			return nil
		}
		i, ok := p.cat.find(uint32(k), item.ID)
		if _, stale := byItem[i]; ok && stale {
			if fell := p.cat.quantity[i] - item.Quantity; fell > 0 {
				p.sold[i] += fell
			}
			p.cat.quantity[i] = item.Quantity
			if !item.NotStocked {
				delete(p.cat.notStocked, i)
			}
			seen[i] = true
		}
		return nil
	})
	if err != nil {
		p.log.Warn("re-reading stale items failed", append([]any{"items", len(positions)}, errorAttrs(err)...)...)
		for _, pos := range positions {
			p.ledger.fail(pos, "re-reading after a stale write failed: "+err.Error())
		}
		return nil
	}
	retargeted, ownSince := p.cat.levels, reservation.Reserved(nil)
	if p.retarget != nil {
		if retargeted, ownSince, err = p.retarget(ctx); err != nil {
			p.log.Warn("re-reading the reservations after a stale write failed", "items", len(positions), "error", err.Error())
			for _, pos := range positions {
				p.ledger.fail(pos, "re-reading the reservations after a stale write failed: "+err.Error())
			}
			return nil
		}
	}
	var again []uint32
	for _, pos := range positions {
		i := p.pending[pos]
		if seen[i] {
			p.recompute(i, retargeted, ownSince)
		}
		switch {
		case !seen[i]:
			p.ledger.fail(pos, "the item is no longer on the channel at this location")
		case p.cat.quantity[i] == p.targetOf(i):
			p.ledger.set(pos, settled)
		default:
			p.ledger.set(pos, notPushed)
			again = append(again, pos)
		}
	}
	return again
}

// recompute sets item i's target after a stale write: its SKU's target in retargeted (the
// reservations read again), less the units sold on the channel while the run wrote that the
// channel's own orders since the run began do not explain.
func (p *pusher) recompute(i uint32, retargeted *fulfillment.Levels, ownSince reservation.Reserved) {
	sku := p.cat.sku(i)
	retarget, ok := retargeted.Lookup(sku.SKU)
	if !ok {
		retarget = sku.Quantity
	}
	if p.target == nil {
		p.target = map[uint32]int64{}
	}
	p.target[i] = reservation.AfterStale(retarget, p.sold[i], ownSince[sku.SKU])
}
