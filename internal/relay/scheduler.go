package relay

import (
	"context"
	"errors"
	"time"

	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/metrics"
)

// watch follows every claim of the ledger: it wakes the requests waiting for an outcome,
// keeps the claims not yet settled per lane, and hands them to the lanes this replica
// writes, seeking the lease of a lane no one writes. A watch that fails starts again.
func (s *Service) watch() {
	for attempt := 0; s.ctx.Err() == nil; attempt++ {
		err := s.store.WatchClaims(s.ctx, s.observe, func() {
			if s.synced.CompareAndSwap(false, true) {
				close(s.watched)
			}
		})
		if err != nil {
			s.cfg.Log.Error(err, "watching the ledger's claims; starting again")
		}
		_ = retry.Sleep(s.ctx, retry.Backoff(attempt, 100*time.Millisecond, 5*time.Second))
	}
}

func (s *Service) observe(u ledger.ClaimUpdate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lane := u.Claim.Lane
	if u.Claim.State == ledger.Settled {
		if p := s.pending[lane]; p != nil {
			if _, ok := p[u.Key]; ok {
				delete(p, u.Key)
				metrics.Queued(-1)
			}
			if len(p) == 0 {
				delete(s.pending, lane)
			}
		}
		for _, ch := range s.waiters[u.Key] {
			select {
			case ch <- u.Claim:
			default:
			}
		}
		if l := s.lanes[lane]; l != nil {
			l.forget(u.Key)
		}
		return
	}
	p := s.pending[lane]
	if p == nil {
		p = map[string]ledger.ClaimUpdate{}
		s.pending[lane] = p
	}
	if _, known := p[u.Key]; !known {
		metrics.Queued(1)
	}
	p[u.Key] = u
	if l := s.lanes[lane]; l != nil {
		l.offer(u)
		return
	}
	if s.synced.Load() {
		s.seekLocked(lane)
	}
}

// register starts waiting for a claim's outcome.
func (s *Service) register(key string) chan ledger.Claim {
	ch := make(chan ledger.Claim, 1)
	s.mu.Lock()
	s.waiters[key] = append(s.waiters[key], ch)
	s.mu.Unlock()
	return ch
}

func (s *Service) unregister(key string, ch chan ledger.Claim) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.waiters[key]
	for i, c := range list {
		if c == ch {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.waiters, key)
	} else {
		s.waiters[key] = list
	}
}

// room says whether a lane may take an event: it has events waiting, or fewer lanes than
// MaxWriters have.
func (s *Service) room(l ledger.Lane) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, busy := s.pending[l]
	return busy || len(s.pending) < s.cfg.MaxWriters
}

// pendingCount is how many claims of a lane are not settled yet.
func (s *Service) pendingCount(l ledger.Lane) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending[l])
}

// seekLocked tries, in the background, to take the lease of a lane with pending claims.
func (s *Service) seekLocked(l ledger.Lane) {
	if s.acquiring[l] || s.closing.Load() {
		return
	}
	s.acquiring[l] = true
	go s.acquire(l)
}

// acquire takes a lane's lease if no live writer holds it, and starts its lane.
func (s *Service) acquire(key ledger.Lane) {
	defer func() {
		s.mu.Lock()
		delete(s.acquiring, key)
		s.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	lease, err := s.store.AcquireLane(ctx, key, s.cfg.Replica, s.cfg.LeaseTTL, s.cfg.Now)
	if err != nil {
		if !errors.Is(err, ledger.ErrLaneHeld) && s.ctx.Err() == nil {
			s.cfg.Log.Error(err, "taking a channel location's lease", "lane", key.String())
		}
		return
	}
	s.mu.Lock()
	if s.closing.Load() || s.lanes[key] != nil {
		s.mu.Unlock()
		_ = lease.Release(ctx)
		return
	}
	if len(s.lanes) >= s.cfg.MaxWriters {
		// Lanes without waiting events make room: they release their lease and connectors.
		for k, idle := range s.lanes {
			if len(s.pending[k]) == 0 {
				idle.retire()
			}
		}
	}
	l := s.newLane(key, lease)
	s.lanes[key] = l
	for _, u := range s.pending[key] {
		l.offer(u)
	}
	s.mu.Unlock()
	s.cfg.Log.Info("writing a channel location", "lane", key.String(), "inheritedIntent", lease.Inherited() != nil)
	go func() {
		l.run()
		s.release(l)
	}()
}

// release forgets a lane whose worker has finished.
func (s *Service) release(l *lane) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lanes[l.key] == l {
		delete(s.lanes, l.key)
	}
	// Claims left pending (a lost lease, an idle lane woken too late) are sought again.
	if len(s.pending[l.key]) > 0 && !s.closing.Load() {
		s.seekLocked(l.key)
	}
}

// takeOverLoop seeks, every half lease, the lanes with pending claims that no replica is
// writing: a replica that died leaves its lanes this way.
func (s *Service) takeOverLoop() {
	t := time.NewTicker(s.cfg.LeaseTTL / 2)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		for key := range s.pending {
			if s.lanes[key] == nil {
				s.seekLocked(key)
			}
		}
		s.mu.Unlock()
	}
}
