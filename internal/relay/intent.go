package relay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/metrics"
)

// resolveInherited settles the claims of the intent the lane's previous writer left: it
// sends that very write again, with its key and changes, so a channel that applied it
// answers from its idempotency record, and a write under compare-and-swap is Stale rather
// than applied twice. An intent older than MaxIntentAge is not re-sent, since the channel
// may have forgotten its key: its events are reported OutcomeUnknown for reconciliation.
func (l *caller) resolveInherited(in ledger.Intent) error {
	var works []*work
	var changes [][]int
	for i, key := range in.Claims {
		c, rev, err := l.claim(key)
		if err != nil {
			return err
		}
		if c.State == ledger.Settled {
			continue
		}
		works = append(works, workOf(ledger.ClaimUpdate{Key: key, Claim: c, Revision: rev}))
		changes = append(changes, in.EventChanges[i])
	}
	l.intentOpen = true
	if len(works) == 0 {
		return l.flush()
	}
	if age := l.svc.cfg.Now().Sub(in.At); age > l.svc.cfg.MaxIntentAge {
		metrics.RelayUnresolvedWrite()
		l.svc.cfg.Log.Info("an unresolved write is too old to send again; its events need reconciling", "lane", l.key.String(), "key", in.Key, "age", age.String(), "events", len(works))
		for _, w := range works {
			l.settle(w, outcome{status: StatusFailed, reason: ReasonOutcomeUnknown,
				message: fmt.Sprintf("a write of this event had no answer and is older than %s, longer than the channel is known to remember its key; it was not sent again: compare the channel with the warehouse", l.svc.cfg.MaxIntentAge)})
		}
		return l.flush()
	}
	if err := l.connect(works[0].location); err != nil {
		return err
	}
	l.svc.cfg.Log.Info("sending again the write the previous writer left unresolved", "lane", l.key.String(), "key", in.Key, "events", len(works))
	results, _, err := l.send(in)
	if errors.Is(err, errAbandoned) {
		return err
	}
	for i, w := range works {
		switch {
		case err != nil:
			l.settle(w, refusedOutcome(err))
		case w.allocated && onlyStale(results, changes[i]):
			// The item moved, or the first send applied: its level is read and written again.
			l.offer(ledger.ClaimUpdate{Key: w.key, Claim: w.claim, Revision: w.rev})
		case staleAmong(results, changes[i]):
			// The first send may have applied: the increment is not written again.
			metrics.RelayUnresolvedWrite()
			l.settle(w, outcome{status: StatusFailed, reason: ReasonOutcomeUnknown,
				message: "the replica that wrote this event stopped before recording the channel's answer, and the item no longer shows the quantity it was written against: the write may have applied; compare the channel with the warehouse"})
		default:
			o, applied := changesOutcome(results, changes[i])
			l.settleWritten(w, o, writtenKey(applied, in.Key))
		}
	}
	return l.flush()
}

// claim reads a claim, retrying while the ledger cannot be reached.
func (l *lane) claim(key string) (ledger.Claim, uint64, error) {
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(l.ctx, 10*time.Second)
		c, rev, err := l.svc.store.Claim(ctx, key)
		cancel()
		if err == nil || errors.Is(err, ledger.ErrNotFound) {
			if err != nil {
				// Expired with its retention: nothing is left to settle.
				c.State = ledger.Settled
			}
			return c, rev, nil
		}
		if retry.Sleep(l.ctx, retry.Backoff(attempt, 100*time.Millisecond, 5*time.Second)) != nil {
			return c, 0, errAbandoned
		}
	}
}
