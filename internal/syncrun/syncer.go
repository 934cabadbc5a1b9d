package syncrun

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/skumap"
)

// Defaults of Options.
const (
	DefaultConcurrency    = 1
	DefaultMaxStaleRounds = 3
	DefaultProgressEvery  = 100
	DefaultDrainTimeout   = 20 * time.Second
)

// LevelSource supplies the fulfillment channel's levels; fulfillment.Feed and
// fulfillment.Sum are ones.
type LevelSource = fulfillment.Source

// StaticLevels is a LevelSource of levels already read.
type StaticLevels struct{ Levels *fulfillment.Levels }

// Read returns the levels.
func (s StaticLevels) Read(context.Context) (*fulfillment.Levels, error) { return s.Levels, nil }

// MappingSource supplies a catalog mapping.
type MappingSource interface {
	Read(ctx context.Context) (*skumap.Mapping, error)
}

// Options configure one run.
type Options struct {
	// Levels supplies the feed's levels, read once at the start of the run.
	Levels LevelSource
	// Connector reads and writes the sales channel at the run's location.
	Connector channel.Connector
	// Strategy writes absolute values or increments; both carry compare-and-swap.
	Strategy v1alpha1.Strategy
	// DuplicateSKUs says what happens to SKUs shared by several channel items.
	DuplicateSKUs v1alpha1.DuplicateSKUPolicy
	// Allocation are the channel's allocation rules: the run compares and writes what they
	// leave of each level, not the level itself.
	Allocation allocation.Rules
	// Mapping, when set, turns the feed's warehouse SKUs into the channel SKUs the run
	// compares and writes, before the allocation rules apply to them.
	Mapping *skumap.Mapping
	// MappingSource, when set, supplies Mapping, read after the feed: a mapping read from a
	// URL fails the run for good when it is invalid, and for this time when it is unreachable.
	MappingSource MappingSource
	// PlanOnly makes the run a plan: it reads the feed and the channel, and reports the
	// changes it would write, writing nothing.
	PlanOnly bool
	// StockUnstockedItems writes items not stocked at the location too, asking the connector
	// to stock them first; otherwise their SKUs count as notStocked.
	StockUnstockedItems bool
	// RunID is the idempotency keys' root: the same for every pod of one Job.
	RunID string
	// Concurrency is how many batches are written at once; 0 means DefaultConcurrency.
	Concurrency int
	// MaxStaleRounds bounds the re-reads of items that moved while the run wrote them;
	// 0 means DefaultMaxStaleRounds, negative means none.
	MaxStaleRounds int
	// ProgressEvery logs progress every this many batches; 0 means DefaultProgressEvery.
	ProgressEvery int
	// Reservations, when set, supplies the units that left the fulfillment channel after the
	// feed's snapshot: the run targets each level less them, read again after a stale write.
	Reservations ReservationSource
	// WrittenSnapshot is the newest feed snapshot an earlier run of the sync wrote; zero when
	// none is known. A run whose feeds are older writes nothing: see superseded.
	WrittenSnapshot time.Time
	// DrainTimeout is how long batches in flight may still take once ctx is done; 0 means
	// DefaultDrainTimeout.
	DrainTimeout time.Duration
	// Logger receives structured progress; nil discards it. Nothing secret is logged.
	Logger *slog.Logger
}

// Status is how a run ended, which the sync role maps to its exit code.
type Status int

const (
	// Succeeded: every SKU of the feed is unchanged, updated, skipped or not found.
	Succeeded Status = iota
	// Partial: some SKUs failed, or the run stopped early; running again may fix it.
	Partial
	// Permanent: the run cannot succeed by retrying (a malformed feed, invalid options).
	Permanent
)

func (s Status) String() string {
	switch s {
	case Succeeded:
		return "Succeeded"
	case Partial:
		return "Partial"
	default:
		return "Permanent"
	}
}

// Report is the outcome of a run.
type Report struct {
	Result v1alpha1.SyncResult
	Status Status
}

// Run performs one synchronization run. It never panics on a channel's answers and always
// returns a report, also when ctx ends: then it stops handing out batches, lets those in
// flight finish within DrainTimeout, and reports the SKUs it did not push as failed.
func Run(ctx context.Context, opts Options) Report {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := opts.validate(); err != nil {
		return Report{Status: Permanent, Result: v1alpha1.SyncResult{Message: err.Error()}}
	}
	started := time.Now()

	levels, err := opts.Levels.Read(ctx)
	if err != nil {
		var feedErr *fulfillment.FeedError
		status := Partial
		if errors.As(err, &feedErr) || errors.Is(err, fulfillment.ErrTooLarge) || errors.Is(err, fulfillment.ErrSumOutOfRange) {
			status = Permanent
		}
		log.Error("reading the fulfillment feed failed", "permanent", status == Permanent, "error", err.Error())
		return Report{Status: status, Result: v1alpha1.SyncResult{Message: err.Error()}}
	}
	log.Info("read the fulfillment feed", "skus", levels.Len())
	snapshot := levels.Snapshot()
	if snapshot.IsZero() {
		snapshot = started
	}
	if !opts.PlanOnly && supersededBy(snapshot, opts.WrittenSnapshot) {
		log.Info("not writing: an earlier run wrote a newer snapshot", "snapshot", snapshot.UTC().Format(time.RFC3339),
			"written", opts.WrittenSnapshot.UTC().Format(time.RFC3339))
		return superseded(snapshot, opts.WrittenSnapshot)
	}
	tg := &targets{feed: levels, snapshot: snapshot, source: opts.Reservations, rules: opts.Allocation}
	reservedAtRead, err := tg.reserved(ctx)
	if err != nil {
		log.Error("reading the reservations failed", "error", err.Error())
		return nonePushed(levels, "not pushed: the reservations could not be read", "reading the reservations after the feed's snapshot: "+err.Error())
	}
	tg.own = reservedAtRead.Own
	reservedSKUs, reservedUnits := reservedCounts(levels, reservedAtRead.Counted)
	if opts.Reservations != nil {
		log.Info("subtracting the reservations after the feed's snapshot", "snapshot", snapshot.UTC().Format(time.RFC3339),
			"reservedSKUs", reservedSKUs, "reservedUnits", reservedUnits)
	}
	var reservedResult *v1alpha1.ReservedCounts
	if opts.Reservations != nil {
		reservedResult = &v1alpha1.ReservedCounts{Since: metav1.NewTime(snapshot), SKUs: reservedSKUs, Units: reservedUnits}
	}
	levels = tg.net(reservedAtRead.Counted)
	warehouse := levels
	if opts.MappingSource != nil {
		m, err := opts.MappingSource.Read(ctx)
		if err != nil {
			var invalid *skumap.Error
			var refused *fulfillment.ConsumeError
			status := Partial
			if errors.As(err, &invalid) || errors.As(err, &refused) || errors.Is(err, fulfillment.ErrTooLarge) {
				status = Permanent
			}
			log.Error("reading the catalog mapping failed", "permanent", status == Permanent, "error", err.Error())
			return Report{Status: status, Result: v1alpha1.SyncResult{Message: "catalog mapping: " + err.Error()}}
		}
		opts.Mapping = m
	}
	tg.mapping = opts.Mapping
	var mapped *v1alpha1.MappingCounts
	if opts.Mapping != nil {
		shown, counts, err := opts.Mapping.Show(levels)
		if err != nil {
			log.Error("mapping the feed's SKUs failed", "error", err.Error())
			return Report{Status: Permanent, Result: v1alpha1.SyncResult{Message: "mapping the feed's SKUs: " + err.Error()}}
		}
		levels = shown
		mapped = &v1alpha1.MappingCounts{Rows: int64(opts.Mapping.Rows()), WarehouseSKUs: counts.WarehouseSKUs, Kits: counts.Kits, Aliases: counts.Aliases,
			Unmapped: counts.Unmapped, SkippedUnmapped: counts.SkippedUnmapped}
		log.Info("mapped the feed's SKUs to channel SKUs", "channelSKUs", levels.Len(), "kits", counts.Kits,
			"aliases", counts.Aliases, "unmapped", counts.Unmapped, "skippedUnmapped", counts.SkippedUnmapped)
	}
	// A plan names the feeds' level of each change the rules lowered; the raw levels cost
	// one quantity a SKU, kept only for a plan.
	var fed *fulfillment.Levels
	if opts.PlanOnly && !opts.Allocation.Empty() {
		fed = levels
	}
	if !opts.Allocation.Empty() {
		levels = levels.MapQuantities(func(q int64) int64 { return allocation.Apply(opts.Allocation, q) })
	}

	cat, err := readCatalog(ctx, opts.Connector, levels)
	if err != nil {
		log.Error("reading the channel's items failed", errorAttrs(err)...)
		report := unreadableChannel(levels, err)
		report.Result.Mapping = mapped
		return report
	}
	pl := makePlan(cat, opts.DuplicateSKUs, opts.StockUnstockedItems)
	log.Info("planned the run", "channelItems", cat.len(), "otherItems", cat.ignored,
		"unchanged", pl.unchanged, "skippedDuplicates", pl.skippedDuplicates, "notFound", pl.notFound,
		"untracked", pl.untracked, "notStocked", pl.notStocked, "nativeBundles", pl.nativeBundles, "itemsToWrite", len(pl.pending))
	if opts.PlanOnly {
		report := preview(pl, cat, fed, limitingComponent(opts.Mapping, warehouse), reservedIn(tg.feed, reservedAtRead.Counted))
		report.Result.Mapping = mapped
		report.Result.Reserved = reservedResult
		log.Info("plan finished, nothing written", "read", report.Result.SKUs.Read, "toUpdate", report.Result.SKUs.Updated,
			"itemsToWrite", len(pl.pending), "duration", time.Since(started).Round(time.Millisecond).String())
		return report
	}

	p := &pusher{
		cat:      cat,
		pending:  pl.pending,
		ledger:   newLedger(len(pl.pending)),
		conn:     opts.Connector,
		strategy: opts.Strategy,
		runID:    opts.RunID,
		workers:  positiveOr(opts.Concurrency, DefaultConcurrency),
		progress: positiveOr(opts.ProgressEvery, DefaultProgressEvery),
		log:      log,
	}
	if opts.Reservations != nil {
		p.retarget = tg.again
	}
	writeCtx, stopWrites := drainContext(ctx, positiveOr(opts.DrainTimeout, DefaultDrainTimeout))
	defer stopWrites()
	// The channel's inventory history names the run as the reason of every write.
	writeCtx = channel.WithReference(writeCtx, channel.Reference(channel.ReferenceSyncRun, opts.RunID))

	positions := make([]uint32, len(pl.pending))
	for pos := range positions {
		positions[pos] = uint32(pos)
	}
	p.round(ctx, writeCtx, 0, positions)
	rounds := opts.MaxStaleRounds
	if rounds == 0 {
		rounds = DefaultMaxStaleRounds
	}
	for round := 1; round <= rounds && ctx.Err() == nil; round++ {
		staleNow := p.ledger.positions(stale)
		if len(staleNow) == 0 {
			break
		}
		log.Info("re-reading items that moved during the run", "round", round, "items", len(staleNow))
		p.round(ctx, writeCtx, round, p.refresh(writeCtx, staleNow))
	}
	leftStale := fmt.Sprintf("the channel's quantity kept changing: still stale after %d re-reads", max(rounds, 0))
	if ctx.Err() != nil {
		leftStale = "the item moved during the run, which stopped before re-reading it"
	}
	for _, pos := range p.ledger.positions(stale) {
		p.ledger.fail(pos, leftStale)
	}

	report := tally(pl, cat, p.ledger)
	report.Result.SnapshotTime = &metav1.Time{Time: snapshot}
	report.Result.Mapping = mapped
	report.Result.Reserved = reservedResult
	if ctx.Err() != nil {
		report.Result.Message = fmt.Sprintf("the run stopped early (%v); SKUs not pushed count as failed", context.Cause(ctx))
		report.Status = Partial
	}
	log.Info("sync run finished", "status", report.Status.String(), "batches", p.batchesSent.Load(),
		"read", report.Result.SKUs.Read, "unchanged", report.Result.SKUs.Unchanged,
		"updated", report.Result.SKUs.Updated, "skippedDuplicates", report.Result.SKUs.SkippedDuplicates,
		"notFound", report.Result.SKUs.NotFound, "untracked", report.Result.SKUs.Untracked,
		"notStocked", report.Result.SKUs.NotStocked, "nativeBundles", report.Result.SKUs.NativeBundles, "failed", report.Result.SKUs.Failed,
		"duration", time.Since(started).Round(time.Millisecond).String())
	return report
}

func (o Options) validate() error {
	switch {
	case o.Levels == nil:
		return errors.New("no level source")
	case o.Connector == nil:
		return errors.New("no channel connector")
	case o.Connector.MaxBatch() < 1:
		return fmt.Errorf("connector's batch size %d is not positive", o.Connector.MaxBatch())
	case o.RunID == "":
		return errors.New("no run id")
	}
	return v1alpha1.ValidateRunSettings(o.Strategy, o.DuplicateSKUs)
}

// readCatalog streams the channel's items of the feed's SKUs into a sealed catalog.
func readCatalog(ctx context.Context, conn channel.Connector, levels *fulfillment.Levels) (*catalog, error) {
	cat := newCatalog(levels)
	if levels.Len() == 0 {
		cat.seal()
		return cat, nil
	}
	skus := make([]string, 0, levels.Len())
	for sku := range levels.All() {
		skus = append(skus, sku)
	}
	if err := conn.Items(ctx, skus, cat.add); err != nil {
		return nil, err
	}
	cat.seal()
	return cat, nil
}

// unreadableChannel is the report of a run that could not read the channel's items: every
// SKU of the feed failed, for that reason, so the counts still add up.
func unreadableChannel(levels *fulfillment.Levels, err error) Report {
	return nonePushed(levels, "not pushed: the channel's items could not be read", "reading the channel's items: "+err.Error())
}

// nonePushed is the report of a run that read the feed and pushed nothing: every SKU failed
// for reason, so the counts still add up.
func nonePushed(levels *fulfillment.Levels, reason, message string) Report {
	failures := make([]v1alpha1.SKUFailure, 0, min(levels.Len(), v1alpha1.MaxFailureSample))
	for k := range cap(failures) {
		failures = append(failures, v1alpha1.SKUFailure{SKU: truncate(levels.At(k).SKU, maxSKUBytes), Reason: reason})
	}
	return Report{Status: Partial, Result: v1alpha1.SyncResult{
		SKUs:     v1alpha1.SKUCounts{Read: int64(levels.Len()), Failed: int64(levels.Len())},
		Failures: failures,
		Message:  message,
	}}
}

// tally turns the plan and the ledger into the run's counts and failure sample.
func tally(pl plan, cat *catalog, l *ledger) Report {
	counts := pl.settled()
	var failures []v1alpha1.SKUFailure
	for start := 0; start < len(pl.pending); {
		level := cat.level[pl.pending[start]]
		end := start + 1
		for end < len(pl.pending) && cat.level[pl.pending[end]] == level {
			end++
		}
		anyApplied, reason, bad := false, "", false
		for pos := start; pos < end; pos++ {
			switch l.state[pos] {
			case applied:
				anyApplied = true
			case notPushed:
				if !bad {
					bad, reason = true, "not pushed: the run stopped before this SKU"
				}
			case failed, stale:
				if !bad || reason == "" {
					bad, reason = true, l.reasonOf(uint32(pos))
				}
			}
		}
		switch {
		case bad:
			counts.Failed++
			if len(failures) < v1alpha1.MaxFailureSample {
				failures = append(failures, v1alpha1.SKUFailure{
					SKU:    truncate(cat.levels.At(int(level)).SKU, maxSKUBytes),
					Reason: truncate(reason, maxReasonBytes),
				})
			}
		case anyApplied:
			counts.Updated++
		default:
			counts.Unchanged++
		}
		start = end
	}
	status := Succeeded
	if counts.Failed > 0 {
		status = Partial
	}
	return Report{Status: status, Result: v1alpha1.SyncResult{SKUs: counts, Failures: failures}}
}

// drainContext returns a context for writes that ends DrainTimeout after ctx does, so batches
// in flight when the run is told to stop can still finish.
func drainContext(ctx context.Context, drain time.Duration) (context.Context, context.CancelFunc) {
	writeCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		timer := time.AfterFunc(drain, cancel)
		context.AfterFunc(writeCtx, func() { timer.Stop() })
	})
	return writeCtx, func() {
		stop()
		cancel()
	}
}

func positiveOr[T int | time.Duration](v, fallback T) T {
	if v > 0 {
		return v
	}
	return fallback
}
