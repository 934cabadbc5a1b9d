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

// writeAtomic writes puts to bucket in one atomic batch: written whole or not at all, and
// written to disk once, where one message at a time is synced once each. Every record keeps
// its compare-and-swap: a create fails the batch when the key exists, an update when the
// record moved past its revision; the batch is then refused (errBatchRefused) and the caller
// writes its records one by one to learn which. An error other than errBatchRefused leaves
// the batch's outcome unknown.
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
