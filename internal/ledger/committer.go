package ledger

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// batchThreshold is the fewest records written as one atomic batch: a batch costs about as
// much as fifteen records written one by one (its staging on the server), and then as
// little as one more per hundred.
const batchThreshold = 16

// batchTimeout bounds the wait for the server's answer to a batch.
const batchTimeout = 10 * time.Second

// committer writes one bucket's records for every caller of a process: whatever the callers
// queued while the previous write was out goes in the next, as one atomic batch when there
// are at least batchThreshold records, else one by one. Under load the batches grow with it
// (group commit), so the bucket's writes to disk stay few whatever the rate; a lone record
// waits for nothing.
type committer struct {
	store  *Store
	bucket string
	kv     jetstream.KeyValue
	queue  chan *queued
}

type queued struct {
	put  put
	ctx  context.Context
	done chan error
}

func newCommitter(s *Store, bucket string, kv jetstream.KeyValue) *committer {
	c := &committer{store: s, bucket: bucket, kv: kv, queue: make(chan *queued, 4*maxBatch)}
	go c.run()
	return c
}

// write writes puts and returns, for each, nil or its error: jetstream.ErrKeyExists when a
// create found the key or an update found the record moved on.
func (c *committer) write(ctx context.Context, puts []put) []error {
	errs := make([]error, len(puts))
	waits := make([]*queued, len(puts))
	for i, p := range puts {
		q := &queued{put: p, ctx: ctx, done: make(chan error, 1)}
		select {
		case c.queue <- q:
			waits[i] = q
		case <-ctx.Done():
			errs[i] = ctx.Err()
		case <-c.store.closed:
			errs[i] = errClosed
		}
	}
	for i, q := range waits {
		if q == nil {
			continue
		}
		select {
		case errs[i] = <-q.done:
		case <-ctx.Done():
			errs[i] = ctx.Err()
		}
	}
	return errs
}

var errClosed = errors.New("the ledger connection is closed")

func (c *committer) run() {
	for {
		var group []*queued
		select {
		case q := <-c.queue:
			group = append(group, q)
		case <-c.store.closed:
			return
		}
	drain:
		for len(group) < maxBatch {
			select {
			case q := <-c.queue:
				group = append(group, q)
			default:
				break drain
			}
		}
		c.commit(group)
	}
}

// commit writes a group: as one atomic batch when it is large enough, and one by one when
// it is not or the batch is refused, so each record gets its own answer.
func (c *committer) commit(group []*queued) {
	live := group[:0]
	for _, q := range group {
		if err := q.ctx.Err(); err != nil {
			q.done <- err
			continue
		}
		live = append(live, q)
	}
	if len(live) >= batchThreshold {
		puts := make([]put, len(live))
		for i, q := range live {
			puts[i] = q.put
		}
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		err := c.store.writeAtomic(ctx, c.bucket, puts)
		cancel()
		if err == nil {
			for _, q := range live {
				q.done <- nil
			}
			return
		}
		// Refused, or its outcome unknown: one by one, each record's compare-and-swap tells
		// whether the batch wrote it.
	}
	// Published in order, acknowledged together: a caller's records keep their order.
	futures := make([]jetstream.PubAckFuture, len(live))
	for i, q := range live {
		m := nats.NewMsg("$KV." + c.bucket + "." + q.put.key)
		m.Data = q.put.data
		f, err := c.store.js.PublishMsgAsync(m, jetstream.WithExpectLastSequencePerSubject(q.put.rev))
		if err != nil {
			q.done <- err
			continue
		}
		futures[i] = f
	}
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case <-f.Ok():
			live[i].done <- nil
		case err := <-f.Err():
			live[i].done <- casError(err)
		case <-live[i].ctx.Done():
			live[i].done <- live[i].ctx.Err()
		}
	}
}

// casError reads a refused compare-and-swap as jetstream.ErrKeyExists, as the KV's Create
// and Update do.
func casError(err error) error {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return jetstream.ErrKeyExists
	}
	return err
}
