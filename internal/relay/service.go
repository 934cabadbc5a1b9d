package relay

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/metrics"
	"github.com/techoms/inventory-operator/internal/policy"
)

// Defaults of Config.
const (
	DefaultQueueSize  = 10_000
	DefaultLedgerSize = 1_000_000
	// DefaultLedgerBytes fits the relay Deployment's 512Mi memory limit with headroom: under
	// the Go collector's default target of twice the live heap, a full ledger keeps the
	// relay under about 300 MiB of resident memory (BenchmarkRelayMemory measures it),
	// leaving room for DefaultMaxInFlightBytes of requests.
	DefaultLedgerBytes  int64 = 96 << 20
	DefaultItemCacheTTL       = time.Minute
	DefaultWriteTimeout       = 2 * time.Minute
	// DefaultLaneIdleTimeout is how long a channel location keeps its connector and item
	// cache without events.
	DefaultLaneIdleTimeout = 10 * time.Minute
)

// ErrShuttingDown is returned for requests that arrive once Close has begun.
var ErrShuttingDown = errors.New("the relay is shutting down")

// Config configures a Service.
type Config struct {
	// Directory supplies the channels, InventorySyncs and credentials in scope.
	Directory Directory
	// Connect builds connectors; DefaultConnectorFactory(nil) when nil.
	Connect ConnectorFactory
	// QueueSize is how many events one channel location may have waiting; beyond it events
	// for that location are throttled. Default DefaultQueueSize.
	QueueSize int
	// LedgerBytes bounds the memory of the (event, channel location) pairs remembered for
	// idempotency, counting their ids and what they keep. Default DefaultLedgerBytes.
	LedgerBytes int64
	// LedgerSize bounds the number of pairs remembered too. Default DefaultLedgerSize.
	LedgerSize int
	// ItemCacheTTL is how long a SKU's channel items are reused. Default DefaultItemCacheTTL.
	ItemCacheTTL time.Duration
	// WriteTimeout bounds one connector call, its retries included. Default
	// DefaultWriteTimeout.
	WriteTimeout time.Duration
	// LaneIdleTimeout is how long a channel location without events keeps its connector
	// and item cache. Default DefaultLaneIdleTimeout.
	LaneIdleTimeout time.Duration
	// Now is the clock of the item cache; time.Now when nil.
	Now func() time.Time
	// Log receives lane lifecycle messages; discarded when unset.
	Log logr.Logger
}

// Service applies inventory events to the channels in scope. It is safe for concurrent use.
type Service struct {
	cfg    Config
	ledger *Ledger
	stats  counters

	ctx     context.Context
	cancel  context.CancelFunc
	closing atomic.Bool

	mu    sync.Mutex
	lanes map[laneKey]*lane
	all   []*lane
}

// New returns a Service; Close it to finish queued work.
func New(cfg Config) (*Service, error) {
	if cfg.Directory == nil {
		return nil, errors.New("relay: a Directory is required")
	}
	if cfg.Connect == nil {
		cfg.Connect = DefaultConnectorFactory(nil)
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.LedgerSize <= 0 {
		cfg.LedgerSize = DefaultLedgerSize
	}
	if cfg.LedgerBytes <= 0 {
		cfg.LedgerBytes = DefaultLedgerBytes
	}
	if cfg.ItemCacheTTL <= 0 {
		cfg.ItemCacheTTL = DefaultItemCacheTTL
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.LaneIdleTimeout <= 0 {
		cfg.LaneIdleTimeout = DefaultLaneIdleTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log.GetSink() == nil {
		cfg.Log = logr.Discard()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{cfg: cfg, ledger: NewLedger(cfg.LedgerBytes, cfg.LedgerSize), ctx: ctx, cancel: cancel, lanes: map[laneKey]*lane{}}, nil
}

// Stats returns the running totals.
func (s *Service) Stats() Stats { return s.stats.snapshot() }

// Close stops taking requests, lets every lane write what it has queued, and returns when
// they are done. Call it after the HTTP server has finished its requests.
func (s *Service) Close() {
	s.closing.Store(true)
	s.mu.Lock()
	all := slices.Clone(s.all)
	s.mu.Unlock()
	for _, l := range all {
		l.retire()
	}
	for _, l := range all {
		<-l.done
	}
	s.cancel()
}

// pending is one channel result being waited for.
type pending struct {
	result ChannelResult
	entry  *entry
	done   chan struct{}
}

// Handle validates events and applies the valid ones, returning when every channel location
// has answered or ctx ends. An error means nothing was done: the directory could not be read
// or the relay is shutting down.
func (s *Service) Handle(ctx context.Context, events []Event) (Response, error) {
	if s.closing.Load() {
		return Response{}, ErrShuttingDown
	}
	resp := Response{Results: []EventResult{}}
	valid := make([]bool, len(events))
	seen := make(map[string]int, len(events))
	for i := range events {
		ev := &events[i]
		if err := ev.Validate(); err != nil {
			resp.Errors = append(resp.Errors, EventError{Index: i, ID: ev.ID, Reason: err.Error()})
			continue
		}
		if first, dup := seen[ev.ID]; dup {
			resp.Errors = append(resp.Errors, EventError{Index: i, ID: ev.ID, Reason: fmt.Sprintf("id repeats the event at index %d", first)})
			continue
		}
		seen[ev.ID] = i
		valid[i] = true
	}
	scope, err := s.cfg.Directory.Scope(ctx)
	if err != nil {
		return Response{}, fmt.Errorf("reading the channels in scope: %w", err)
	}

	waits := make([][]pending, len(events))
	for i := range events {
		if !valid[i] {
			continue
		}
		ev := &events[i]
		if ev.Trigger == TriggerAllocateOrder && !scope.knows(ev.SalesChannel) {
			resp.Errors = append(resp.Errors, EventError{Index: i, ID: ev.ID, Reason: fmt.Sprintf("salesChannel %q is not a SalesChannel of this namespace", ev.SalesChannel)})
			valid[i] = false
			continue
		}
		targets := planEvent(&scope, ev)
		var keys []ledgerKey
		for _, t := range targets {
			if t.result == nil {
				keys = append(keys, ledgerKey{eventID: ev.ID, lane: targetLane(t)})
			}
		}
		claims, reused := s.ledger.claim(keys, ev.digest())
		if reused {
			resp.Errors = append(resp.Errors, EventError{Index: i, ID: ev.ID, Reason: "id was already used for an event with other content"})
			valid[i] = false
			continue
		}
		s.stats.events.Add(1)
		claimed := 0
		for _, t := range targets {
			if t.result != nil {
				waits[i] = append(waits[i], pending{result: *t.result})
				continue
			}
			waits[i] = append(waits[i], s.dispatch(ctx, ev, t, claims[claimed]))
			claimed++
		}
	}

	for i := range events {
		if !valid[i] {
			continue
		}
		er := EventResult{Index: i, ID: events[i].ID, Channels: make([]ChannelResult, 0, len(waits[i]))}
		for _, p := range waits[i] {
			r := s.await(ctx, p)
			metrics.RelayEvent(string(events[i].Trigger), string(r.Status))
			er.Channels = append(er.Channels, r)
		}
		resp.Results = append(resp.Results, er)
	}
	sortErrors(resp.Errors)
	return resp, nil
}

func targetLane(t target) laneKey {
	return laneKey{namespace: t.channel.Namespace, channel: t.channel.Name, location: t.sync.Spec.FulfillmentChannel.LocationID}
}

// dispatch queues one event for one channel location it claimed in the ledger, or answers
// at once.
func (s *Service) dispatch(ctx context.Context, ev *Event, t target, c claimed) pending {
	q := t.quantity
	base := ChannelResult{SalesChannel: t.channel.Name, InventorySync: t.sync.Name, LocationID: t.sync.Spec.FulfillmentChannel.LocationID, Push: pushOf(t.strategy), Quantity: &q}
	switch c.kind {
	case claimApplied:
		base.Status, base.Replayed = StatusPushed, true
		return pending{result: base}
	case claimWait:
		return pending{result: base, entry: c.entry, done: c.done}
	}
	w := &work{key: c.key, entry: c.entry, sku: ev.SKU, strategy: t.strategy, quantity: t.quantity, duplicates: t.channel.Spec.Inventory.DuplicateSKUs, resend: c.resend, allocated: t.allocated}
	waiting := pending{result: base, entry: c.entry, done: c.done}
	// c.resend is what the entry returns to when the work cannot be queued: a re-send stays
	// in doubt, a new event is forgotten.
	for attempt := 0; ; attempt++ {
		l, err := s.lane(ctx, t)
		if err != nil {
			s.ledger.settle(c.entry, outcome{status: StatusFailed, reason: ReasonConfiguration, message: err.Error()}, false, c.resend)
			return waiting
		}
		queued, retired := l.enqueue(w)
		switch {
		case queued:
			return waiting
		case retired && attempt == 0:
			continue
		case retired:
			s.ledger.settle(c.entry, outcome{status: StatusThrottled, reason: ReasonShuttingDown, message: "the channel's connection is being replaced; send the event again"}, false, c.resend)
		default:
			s.stats.throttled.Add(1)
			s.ledger.settle(c.entry, outcome{status: StatusThrottled, reason: ReasonQueueFull, message: "the queue of this channel location is full; send the event again after Retry-After"}, false, c.resend)
		}
		return waiting
	}
}

// await waits for a queued event's outcome.
func (s *Service) await(ctx context.Context, p pending) ChannelResult {
	r := p.result
	if p.entry == nil {
		return r
	}
	select {
	case <-p.done:
		o := s.ledger.outcome(p.entry)
		r.Status, r.Reason, r.Message = o.status, o.reason, o.message
	case <-ctx.Done():
		r.Status, r.Reason = StatusFailed, ReasonTimedOut
		r.Message = "the channel has not answered yet; the write goes on, and sending the event again reports its outcome without applying it twice"
	}
	return r
}

// lane returns the lane of a target's channel location, building its connector when the
// location is new or its connection or credential changed.
func (s *Service) lane(ctx context.Context, t target) (*lane, error) {
	if s.closing.Load() {
		return nil, ErrShuttingDown
	}
	credential, err := s.cfg.Directory.Credential(ctx, t.channel)
	if err != nil {
		return nil, fmt.Errorf("reading the channel's credential: %w", err)
	}
	key := targetLane(t)
	fp := connectionFingerprint(t.channel, credential)
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.lanes[key]
	if old != nil && old.fingerprint == fp {
		return old, nil
	}
	conn, err := s.cfg.Connect(t.channel, key.location, credential)
	if err != nil {
		return nil, fmt.Errorf("connecting to the channel: %w", err)
	}
	conn = metered(conn, t.channel.Spec.Platform)
	l := &lane{
		key: key, fingerprint: fp, conn: conn,
		items:  newItemCache(s.cfg.ItemCacheTTL, s.cfg.Now),
		ledger: s.ledger, stats: &s.stats, writeTimeout: s.cfg.WriteTimeout, ctx: s.ctx,
		queue: make(chan *work, s.cfg.QueueSize), done: make(chan struct{}),
		idleAfter: s.cfg.LaneIdleTimeout, idle: s.retireIdle,
	}
	s.lanes[key] = l
	s.all = append(s.all, l)
	go func() {
		l.run()
		s.release(l)
	}()
	if old != nil {
		s.cfg.Log.Info("channel connection changed, replacing its connector", "lane", key.String())
		old.retire()
	}
	return l, nil
}

// retireIdle retires a lane without events; the next event for its channel location gets
// a new one.
func (s *Service) retireIdle(l *lane) {
	s.mu.Lock()
	if s.lanes[l.key] == l {
		delete(s.lanes, l.key)
	}
	s.mu.Unlock()
	l.retire()
}

// release forgets a lane whose worker has finished, with its connector and item cache.
func (s *Service) release(l *lane) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all = slices.DeleteFunc(s.all, func(other *lane) bool { return other == l })
}

// pushOf names a write strategy as the trigger table does.
func pushOf(st v1alpha1.Strategy) policy.Push {
	if st == v1alpha1.StrategyAbsolute {
		return policy.Absolute
	}
	return policy.Incremental
}

func sortErrors(errs []EventError) {
	slices.SortFunc(errs, func(a, b EventError) int { return cmp.Compare(a.Index, b.Index) })
}
