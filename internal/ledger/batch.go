package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// maxBatch is the most records one atomic batch writes: JetStream takes up to 1,000
// messages in one.
const maxBatch = 500

// errBatchRefused: JetStream refused an atomic batch as a whole (a record's revision moved,
// a key exists, too many batches in flight); nothing of it was written.
var errBatchRefused = errors.New("the ledger refused the batch")

// put is one record of an atomic batch: created when rev is 0, else updated at revision rev.
type put struct {
	key  string
	data []byte
	rev  uint64
}

// enableBatches lets the bucket's stream take atomic batches.
func enableBatches(ctx context.Context, js jetstream.JetStream, bucket string) error {
	stream, err := js.Stream(ctx, "KV_"+bucket)
	if err != nil {
		return err
	}
	cfg := stream.CachedInfo().Config
	if cfg.AllowAtomicPublish {
		return nil
	}
	cfg.AllowAtomicPublish = true
	_, err = js.UpdateStream(ctx, cfg)
	return err
}

// writeBatch writes puts to bucket in atomic batches of up to maxBatch: each batch is
// written whole or not at all, and written to disk once, where one message at a time would
// be synced once each. Every record keeps its compare-and-swap: a create fails the batch
// when the key exists, an update when the record moved past its revision; the batch is then
// refused (errBatchRefused) and the caller writes its records one by one to learn which.
// An error other than errBatchRefused leaves the batch's outcome unknown.
func (s *Store) writeBatch(ctx context.Context, bucket string, puts []put) error {
	for len(puts) > 0 {
		n := min(len(puts), maxBatch)
		if err := s.writeAtomic(ctx, bucket, puts[:n]); err != nil {
			return err
		}
		puts = puts[n:]
	}
	return nil
}

func (s *Store) writeAtomic(ctx context.Context, bucket string, puts []put) error {
	if !s.batches {
		return errBatchRefused
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	id := hex.EncodeToString(raw[:])
	for i, p := range puts {
		m := nats.NewMsg("$KV." + bucket + "." + p.key)
		m.Data = p.data
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(p.rev, 10))
		m.Header.Set("Nats-Batch-Id", id)
		m.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
		if i < len(puts)-1 {
			if err := s.nc.PublishMsg(m); err != nil {
				return fmt.Errorf("writing a batch to the ledger: %w", err)
			}
			continue
		}
		m.Header.Set("Nats-Batch-Commit", "1")
		reply, err := s.nc.RequestMsgWithContext(ctx, m)
		if err != nil {
			return fmt.Errorf("writing a batch to the ledger: %w", err)
		}
		var ack struct {
			Error *struct {
				Code        int    `json:"code"`
				Description string `json:"description"`
			} `json:"error"`
			Count int `json:"count"`
		}
		if err := json.Unmarshal(reply.Data, &ack); err != nil {
			return fmt.Errorf("decoding the ledger's answer to a batch: %w", err)
		}
		if ack.Error != nil {
			return fmt.Errorf("%w: %s", errBatchRefused, ack.Error.Description)
		}
		if ack.Count != len(puts) {
			return fmt.Errorf("the ledger took %d records of a batch of %d", ack.Count, len(puts))
		}
	}
	return nil
}

// AcceptAll records events as Accept does, one by one, with the same answers: the events
// first, in atomic batches, then their claims; each batch is written to disk once. When a
// batch is refused (an id the ledger already holds), the events are accepted one by one.
func (s *Store) AcceptAll(ctx context.Context, evs []Event) (held []Event, created []bool, err error) {
	held, created = make([]Event, len(evs)), make([]bool, len(evs))
	events := make([]put, len(evs))
	var claims []put
	for i := range evs {
		data, err := json.Marshal(evs[i])
		if err != nil {
			return nil, nil, err
		}
		events[i] = put{key: eventKey(evs[i].ID), data: data}
		for n := range evs[i].Claims {
			c := &evs[i].Claims[n]
			data, err := json.Marshal(c)
			if err != nil {
				return nil, nil, err
			}
			claims = append(claims, put{key: c.Key(), data: data})
		}
	}
	if s.writeBatch(ctx, EventsBucket, events) != nil {
		// One by one: a refused batch wrote nothing, and Accept completes the claims of an
		// event it finds held.
		for i := range evs {
			if held[i], created[i], err = s.Accept(ctx, evs[i]); err != nil {
				return nil, nil, err
			}
		}
		return held, created, nil
	}
	copy(held, evs)
	for i := range created {
		created[i] = true
	}
	if s.writeBatch(ctx, ClaimsBucket, claims) != nil {
		for i := range evs {
			for n := range evs[i].Claims {
				if err := s.createClaim(ctx, &evs[i].Claims[n]); err != nil {
					return nil, nil, err
				}
			}
		}
	}
	return held, created, nil
}

// Settlement is one claim's outcome to record at the claim's revision.
type Settlement struct {
	Key   string
	Rev   uint64
	Claim Claim
}

// SettleAll records outcomes as Settle does, in atomic batches each written to disk once. It
// returns, for each settlement, nil or Settle's error: when a batch is refused (a claim
// another writer settled first), its settlements are recorded one by one.
func (s *Store) SettleAll(ctx context.Context, settlements []Settlement) []error {
	errs := make([]error, len(settlements))
	puts := make([]put, len(settlements))
	for i, st := range settlements {
		c := st.Claim
		c.State = Settled
		data, err := json.Marshal(c)
		if err != nil {
			errs[i] = err
			return errs
		}
		puts[i] = put{key: st.Key, data: data, rev: st.Rev}
	}
	for lo := 0; lo < len(puts); lo += maxBatch {
		hi := min(lo+maxBatch, len(puts))
		if s.writeAtomic(ctx, ClaimsBucket, puts[lo:hi]) == nil {
			continue
		}
		for i := lo; i < hi; i++ {
			errs[i] = s.Settle(ctx, settlements[i].Key, settlements[i].Rev, settlements[i].Claim)
		}
	}
	return errs
}
