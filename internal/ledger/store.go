package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bucket names, one per kind of record.
const (
	EventsBucket = "inventory-ledger-events"
	ClaimsBucket = "inventory-ledger-claims"
	LanesBucket  = "inventory-ledger-lanes"
	LevelsBucket = "inventory-ledger-levels"
)

// Defaults of Options.
const (
	// DefaultRetention keeps events, claims and levels for a week: far longer than any
	// sender retries, and bounded.
	DefaultRetention = 7 * 24 * time.Hour
	// DefaultMaxIntentAge is the oldest intent re-sent as it is. Shopify does not state how
	// long it remembers an idempotency key, so an older intent is not re-sent blindly: its
	// events are reported for reconciliation instead.
	DefaultMaxIntentAge = time.Hour
	// DefaultMaxBucketBytes bounds each bucket on disk; a full bucket refuses new events
	// (the relay answers 503) rather than forget ones not yet written.
	DefaultMaxBucketBytes int64 = 1 << 30
)

// ErrConflict: the record changed since it was read; another replica acted first.
var ErrConflict = errors.New("the ledger record changed since it was read")

// ErrNotFound: no such record.
var ErrNotFound = errors.New("not in the ledger")

// Options configure Open.
type Options struct {
	// URL of the NATS server or cluster, e.g. nats://inventory-ledger:4222.
	URL string
	// Replicas of each bucket: 1 on a single server, 3 on a cluster.
	Replicas int
	// Retention of events, claims and levels. Default DefaultRetention.
	Retention time.Duration
	// MaxBucketBytes bounds each bucket. Default DefaultMaxBucketBytes.
	MaxBucketBytes int64
	// CredentialsFile is a NATS credentials file (JWT and seed), optional.
	CredentialsFile string
	// CAFile verifies the server's TLS certificate; CertFile and KeyFile are the client's.
	CAFile, CertFile, KeyFile string
	// Name tells the server who connects.
	Name string
}

// Store is an open ledger.
type Store struct {
	nc                            *nats.Conn
	js                            jetstream.JetStream
	events, claims, lanes, levels jetstream.KeyValue
	reservations                  jetstream.KeyValue
	// batches: the event and claim buckets take atomic batches (JetStream 2.12 and later).
	batches bool
	// eventWrites and claimWrites write the records of every caller of the process, grouped.
	eventWrites, claimWrites *committer
	reservationWrites        *committer
	closed                   chan struct{}
	closeOnce                sync.Once
}

// Open connects to the server and creates or binds the ledger's buckets.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.MaxBucketBytes <= 0 {
		o.MaxBucketBytes = DefaultMaxBucketBytes
	}
	opts := []nats.Option{nats.Name(o.Name), nats.MaxReconnects(-1), nats.ReconnectWait(500 * time.Millisecond)}
	if o.CredentialsFile != "" {
		opts = append(opts, nats.UserCredentials(o.CredentialsFile))
	}
	if o.CAFile != "" {
		opts = append(opts, nats.RootCAs(o.CAFile))
	}
	if o.CertFile != "" {
		opts = append(opts, nats.ClientCert(o.CertFile, o.KeyFile))
	}
	nc, err := nats.Connect(o.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to the ledger at %s: %w", o.URL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	s := &Store{nc: nc, js: js, closed: make(chan struct{})}
	buckets := []struct {
		kv  *jetstream.KeyValue
		cfg jetstream.KeyValueConfig
	}{
		{&s.events, jetstream.KeyValueConfig{Bucket: EventsBucket, Description: "accepted inventory events", TTL: o.Retention}},
		{&s.claims, jetstream.KeyValueConfig{Bucket: ClaimsBucket, Description: "events claimed per channel location, and their outcomes", TTL: o.Retention}},
		{&s.lanes, jetstream.KeyValueConfig{Bucket: LanesBucket, Description: "channel locations' writers and their write-ahead intents"}},
		{&s.levels, jetstream.KeyValueConfig{Bucket: LevelsBucket, Description: "newest level sequence per fulfillment channel and SKU", TTL: o.Retention}},
		{&s.reservations, reservationsBucket(o.Retention)},
	}
	for _, b := range buckets {
		b.cfg.Replicas = o.Replicas
		b.cfg.MaxBytes = o.MaxBucketBytes
		b.cfg.Storage = jetstream.FileStorage
		kv, err := js.CreateOrUpdateKeyValue(ctx, b.cfg)
		if err != nil {
			nc.Close()
			return nil, fmt.Errorf("creating the ledger bucket %s: %w", b.cfg.Bucket, err)
		}
		*b.kv = kv
	}
	s.batches = enableBatches(ctx, js, EventsBucket) == nil && enableBatches(ctx, js, ClaimsBucket) == nil &&
		enableBatches(ctx, js, ReservationsBucket) == nil
	s.eventWrites, s.claimWrites = newCommitter(s, EventsBucket, s.events), newCommitter(s, ClaimsBucket, s.claims)
	s.reservationWrites = newCommitter(s, ReservationsBucket, s.reservations)
	return s, nil
}

// Close disconnects.
func (s *Store) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	s.nc.Close()
}

// Ready says whether the connection to the server is up.
func (s *Store) Ready() bool { return s.nc.IsConnected() }

// Accept records an event unless its id is known: it returns the event the ledger holds
// and whether it is the one given. Then it makes sure every claim of the held event exists,
// so an acceptance cut short by a crash is completed by the retry, wherever it lands.
func (s *Store) Accept(ctx context.Context, ev Event) (Event, bool, error) {
	held, created, err := s.AcceptAll(ctx, []Event{ev})
	if err != nil {
		return Event{}, false, err
	}
	return held[0], created[0], nil
}

// AcceptAll is Accept for several events at once: their records are written together with
// those of every other caller of the process (as one batch, written to disk once, when there
// are enough), then their claims likewise.
func (s *Store) AcceptAll(ctx context.Context, evs []Event) (held []Event, created []bool, err error) {
	held, created = make([]Event, len(evs)), make([]bool, len(evs))
	puts := make([]put, len(evs))
	for i := range evs {
		data, err := json.Marshal(evs[i])
		if err != nil {
			return nil, nil, err
		}
		puts[i] = put{key: eventKey(evs[i].ID), data: data}
	}
	for i, err := range s.eventWrites.write(ctx, puts) {
		switch {
		case err == nil:
			held[i], created[i] = evs[i], true
		case errors.Is(err, jetstream.ErrKeyExists):
			if held[i], err = s.Event(ctx, evs[i].ID); err != nil {
				return nil, nil, err
			}
		default:
			return nil, nil, fmt.Errorf("recording the event: %w", err)
		}
	}
	var claims []put
	var lanes []Lane
	for i := range held {
		for n := range held[i].Claims {
			c := &held[i].Claims[n]
			data, err := json.Marshal(c)
			if err != nil {
				return nil, nil, err
			}
			claims = append(claims, put{key: c.Key(), data: data})
			lanes = append(lanes, c.Lane)
		}
	}
	for i, err := range s.claimWrites.write(ctx, claims) {
		if err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, nil, fmt.Errorf("claiming the event for %s: %w", lanes[i], err)
		}
	}
	return held, created, nil
}

// Event returns the event recorded under id.
func (s *Store) Event(ctx context.Context, id string) (Event, error) {
	e, err := s.events.Get(ctx, eventKey(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Event{}, ErrNotFound
	}
	if err != nil {
		return Event{}, fmt.Errorf("reading the event: %w", err)
	}
	var ev Event
	if err := json.Unmarshal(e.Value(), &ev); err != nil {
		return Event{}, fmt.Errorf("decoding the event: %w", err)
	}
	return ev, nil
}

// Claim returns a claim with its revision.
func (s *Store) Claim(ctx context.Context, key string) (Claim, uint64, error) {
	e, err := s.claims.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Claim{}, 0, ErrNotFound
	}
	if err != nil {
		return Claim{}, 0, fmt.Errorf("reading the claim: %w", err)
	}
	var c Claim
	if err := json.Unmarshal(e.Value(), &c); err != nil {
		return Claim{}, 0, fmt.Errorf("decoding the claim: %w", err)
	}
	return c, e.Revision(), nil
}

// Settle records a claim's outcome, if the claim is still at revision rev; ErrConflict when
// another writer settled it first.
func (s *Store) Settle(ctx context.Context, key string, rev uint64, c Claim) error {
	c.State = Settled
	return s.updateClaim(ctx, key, rev, c, "recording the outcome")
}

// updateClaim writes c at revision rev; ErrConflict when the claim moved on.
func (s *Store) updateClaim(ctx context.Context, key string, rev uint64, c Claim, what string) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return claimError(s.claimWrites.write(ctx, []put{{key: key, data: data, rev: rev}})[0], what)
}

func claimError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jetstream.ErrKeyExists):
		return ErrConflict
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Settlement is one claim's outcome to record at the claim's revision.
type Settlement struct {
	Key   string
	Rev   uint64
	Claim Claim
}

// SettleAll records outcomes as Settle does, together with the other writes of the process;
// it returns, for each, nil or Settle's error.
func (s *Store) SettleAll(ctx context.Context, settlements []Settlement) []error {
	puts := make([]put, len(settlements))
	for i, st := range settlements {
		c := st.Claim
		c.State = Settled
		data, err := json.Marshal(c)
		if err != nil {
			errs := make([]error, len(settlements))
			errs[i] = err
			return errs
		}
		puts[i] = put{key: st.Key, data: data, rev: st.Rev}
	}
	errs := s.claimWrites.write(ctx, puts)
	for i := range errs {
		errs[i] = claimError(errs[i], "recording the outcome")
	}
	return errs
}

// ClaimUpdate is one claim as a watcher sees it.
type ClaimUpdate struct {
	Key      string
	Claim    Claim
	Revision uint64
}

// WatchClaims calls fn with every claim the ledger holds, then with every change, until ctx
// ends; synced is called once the claims held at the start have been seen. It returns when
// ctx ends or the watch fails.
func (s *Store) WatchClaims(ctx context.Context, fn func(ClaimUpdate), synced func()) error {
	w, err := s.claims.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("watching the claims: %w", err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("the ledger's claim watch ended")
			}
			if e == nil {
				synced()
				continue
			}
			if e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var c Claim
			if err := json.Unmarshal(e.Value(), &c); err != nil {
				continue
			}
			fn(ClaimUpdate{Key: e.Key(), Claim: c, Revision: e.Revision()})
		}
	}
}

// Reopen takes a claim settled without effect (refused, or not applicable) back to Accepted,
// if it is still at revision rev, so an event sent again after its refusal is a new attempt;
// ErrConflict when another replica changed it first.
func (s *Store) Reopen(ctx context.Context, key string, rev uint64, c Claim) error {
	c.State, c.Outcome, c.SettledAt, c.WriteKey = Accepted, nil, time.Time{}, ""
	return s.updateClaim(ctx, key, rev, c, "reopening the claim")
}
