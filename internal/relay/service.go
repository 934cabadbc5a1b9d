package relay

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/policy"
)

// Defaults of Config.
const (
	DefaultQueueSize = 10_000
	// DefaultMaxWriters bounds the writers (Shopify stores, webhook channel locations) with
	// events waiting, and so the connectors, item caches and queues a replica may hold.
	DefaultMaxWriters   = 1_000
	DefaultItemCacheTTL = time.Minute
	DefaultWriteTimeout = 2 * time.Minute
	// DefaultLaneIdleTimeout is how long a channel location keeps its connector, item cache
	// and lease without events.
	DefaultLaneIdleTimeout = 10 * time.Minute
	// DefaultLeaseTTL is how long a replica writes a channel location without renewing its
	// lease: a replica that dies holds its lanes this long at most.
	DefaultLeaseTTL = 10 * time.Second
	// DefaultCallsPerStore is how many calls a Shopify store's writer may have out at once.
	DefaultCallsPerStore = 4
	// MaxCallsPerStore bounds CallsPerStore: the store's lease holds the intent of every call
	// out, up to 250 changes each, and one ledger record must stay well under NATS's 1 MiB.
	MaxCallsPerStore = 8
	// DefaultRetryLimit is the longest pause between two attempts at a channel that does not
	// answer, is down or throttles.
	DefaultRetryLimit = 30 * time.Second
)

// ErrShuttingDown is returned for requests that arrive once Close has begun.
var ErrShuttingDown = errors.New("the relay is shutting down")

// ErrLedgerUnavailable: the ledger could not be reached, so nothing was taken.
var ErrLedgerUnavailable = errors.New("the relay's ledger cannot be reached")

// Config configures a Service.
type Config struct {
	// Directory supplies the channels, InventorySyncs and credentials in scope.
	Directory Directory
	// Ledger is the durable record every replica shares. Required.
	Ledger *ledger.Store
	// Replica names this process in lane leases; the hostname (the pod's name) by default.
	Replica string
	// Connect builds connectors; DefaultConnectorFactory(nil) when nil.
	Connect ConnectorFactory
	// QueueSize is how many accepted events one channel location may have waiting; beyond
	// it events for that location are throttled. Default DefaultQueueSize.
	QueueSize int
	// MaxWriters is how many writers (lanes: a Shopify store, a webhook channel location)
	// may have events waiting at once, as this replica's view of the ledger shows them; an
	// event for another writer beyond it is throttled (TooManyWriters), and writers without
	// waiting events let go of their connectors at once. Default DefaultMaxWriters.
	MaxWriters int
	// CallsPerStore is how many calls a Shopify store's writer may have out at once, no two
	// touching one item at one location; a webhook channel location has one. Default
	// DefaultCallsPerStore.
	CallsPerStore int
	// ItemCacheTTL is how long a SKU's channel items are reused. Default DefaultItemCacheTTL.
	ItemCacheTTL time.Duration
	// WriteTimeout bounds one connector call, its own retries included. Default
	// DefaultWriteTimeout.
	WriteTimeout time.Duration
	// LaneIdleTimeout is how long a channel location without events keeps its connector,
	// item cache and lease. Default DefaultLaneIdleTimeout.
	LaneIdleTimeout time.Duration
	// LeaseTTL is how long a lane's lease lasts unless renewed. Default DefaultLeaseTTL.
	LeaseTTL time.Duration
	// MaxIntentAge is the oldest write-ahead intent a new writer re-sends as it is. Default
	// ledger.DefaultMaxIntentAge.
	MaxIntentAge time.Duration
	// RetryFirst and RetryLimit bound the relay's backoff at a channel without an answer.
	// Defaults one second and DefaultRetryLimit.
	RetryFirst, RetryLimit time.Duration
	// Now is the clock of the item cache and the leases; time.Now when nil.
	Now func() time.Time
	// Log receives lane lifecycle messages; discarded when unset.
	Log logr.Logger
}

// Service applies inventory events to the channels in scope. It is safe for concurrent use.
// What it accepts and writes is recorded in the ledger first, so any replica answers the
// same and takes over what another left unfinished.
type Service struct {
	cfg   Config
	store *ledger.Store
	stats counters

	ctx     context.Context
	cancel  context.CancelFunc
	closing atomic.Bool
	synced  atomic.Bool
	watched chan struct{}

	mu sync.Mutex
	// lanes are the channel locations this replica writes.
	lanes map[ledger.Lane]*lane
	// pending are the claims not yet settled, of every lane, as the watch sees them.
	pending map[ledger.Lane]map[string]ledger.ClaimUpdate
	// acquiring marks lanes whose lease is being sought.
	acquiring map[ledger.Lane]bool
	// waiters are the requests waiting for a claim's outcome.
	waiters map[string][]chan ledger.Claim
	// mappings are the catalog mappings read from ConfigMaps, parsed.
	mappings *mappingCache
}

// New returns a Service and starts watching the ledger; Close it to finish queued work.
func New(cfg Config) (*Service, error) {
	if cfg.Directory == nil {
		return nil, errors.New("relay: a Directory is required")
	}
	if cfg.Ledger == nil {
		return nil, errors.New("relay: a Ledger is required")
	}
	if cfg.Replica == "" {
		host, _ := os.Hostname()
		cfg.Replica = fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano())
	}
	if cfg.Connect == nil {
		cfg.Connect = DefaultConnectorFactory(nil)
	}
	if cfg.CallsPerStore <= 0 {
		cfg.CallsPerStore = DefaultCallsPerStore
	}
	cfg.CallsPerStore = min(cfg.CallsPerStore, MaxCallsPerStore)
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.MaxWriters <= 0 {
		cfg.MaxWriters = DefaultMaxWriters
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
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.MaxIntentAge <= 0 {
		cfg.MaxIntentAge = ledger.DefaultMaxIntentAge
	}
	if cfg.RetryFirst <= 0 {
		cfg.RetryFirst = time.Second
	}
	if cfg.RetryLimit <= 0 {
		cfg.RetryLimit = DefaultRetryLimit
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log.GetSink() == nil {
		cfg.Log = logr.Discard()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		cfg: cfg, store: cfg.Ledger, ctx: ctx, cancel: cancel, watched: make(chan struct{}),
		lanes: map[ledger.Lane]*lane{}, pending: map[ledger.Lane]map[string]ledger.ClaimUpdate{},
		acquiring: map[ledger.Lane]bool{}, waiters: map[string][]chan ledger.Claim{},
		mappings: newMappingCache(),
	}
	go s.watch()
	go s.takeOverLoop()
	return s, nil
}

// Stats returns the running totals.
func (s *Service) Stats() Stats { return s.stats.snapshot() }

// Ready says whether the relay can take events: the ledger is reachable and its claims
// have been read.
func (s *Service) Ready() bool {
	return !s.closing.Load() && s.synced.Load() && s.store.Ready()
}

// WaitSynced waits until the ledger's claims have been read, or ctx ends.
func (s *Service) WaitSynced(ctx context.Context) error {
	select {
	case <-s.watched:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops taking requests, lets every lane write what it has taken, releases the
// lanes' leases, and returns when they are done. Call it after the HTTP server has finished
// its requests. What is still unwritten when ctx ends stays in the ledger for another
// replica.
func (s *Service) Close() {
	s.closing.Store(true)
	s.mu.Lock()
	all := make([]*lane, 0, len(s.lanes))
	for _, l := range s.lanes {
		all = append(all, l)
	}
	s.mu.Unlock()
	for _, l := range all {
		l.retire()
	}
	for _, l := range all {
		<-l.done
	}
	s.cancel()
}

// Kill stops at once, as a crash would: no lane finishes its batch, and no lease is
// released, so another replica takes the lanes over once their leases expire. For tests.
func (s *Service) Kill() {
	s.closing.Store(true)
	s.mu.Lock()
	all := make([]*lane, 0, len(s.lanes))
	for _, l := range s.lanes {
		all = append(all, l)
	}
	s.mu.Unlock()
	s.cancel()
	for _, l := range all {
		l.kill()
	}
	for _, l := range all {
		<-l.done
	}
}

// pushOf names a write strategy as the trigger table does.
func pushOf(st v1alpha1.Strategy) policy.Push {
	if st == v1alpha1.StrategyAbsolute {
		return policy.Absolute
	}
	return policy.Incremental
}

func sortErrors(errs []EventError) {
	slices.SortFunc(errs, func(a, b EventError) int { return a.Index - b.Index })
}

// targetLane is the writer of a target: the whole store for Shopify, whose calls take
// changes of any of its locations and whose rate limit is the store's, and the channel
// location for a webhook channel, whose protocol names one location per request.
func targetLane(t target) ledger.Lane {
	l := ledger.Lane{Namespace: t.channel.Namespace, Channel: t.channel.Name, Location: t.sync.Spec.FulfillmentChannel.LocationID}
	if t.channel.Spec.Platform == v1alpha1.PlatformShopify {
		l.Location = ""
	}
	return l
}
