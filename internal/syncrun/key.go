package syncrun

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// maxRunIDInKey bounds the run id's share of a key; longer ids are hashed, keeping keys
// within every connector's limit (the webhook protocol's is 200 bytes).
const maxRunIDInKey = 64

// batchKey is the idempotency key of one batch: the run id, so a retried pod of the same Job
// sends the same key for the same batch, and a hash of everything the batch writes, so two
// different batches of a run never share a key. The stale round is part of the hash: a
// batch re-sent after a re-read is a new write even if the channel came back to the same
// quantities.
func batchKey(runID string, strategy v1alpha1.Strategy, round int, changes []channel.Change) string {
	h := sha256.New()
	var num [8]byte
	writeString := func(s string) {
		binary.BigEndian.PutUint64(num[:], uint64(len(s)))
		h.Write(num[:])
		h.Write([]byte(s))
	}
	writeInt := func(v int64) {
		binary.BigEndian.PutUint64(num[:], uint64(v))
		h.Write(num[:])
	}
	writeString(string(strategy))
	writeInt(int64(round))
	for _, ch := range changes {
		writeString(ch.ItemID)
		writeString(ch.SKU)
		writeInt(ch.Quantity)
		if ch.CompareQuantity != nil {
			writeInt(1)
			writeInt(*ch.CompareQuantity)
		} else {
			writeInt(0)
		}
	}
	if len(runID) > maxRunIDInKey {
		sum := sha256.Sum256([]byte(runID))
		runID = hex.EncodeToString(sum[:16])
	}
	return runID + "/" + hex.EncodeToString(h.Sum(nil)[:16])
}
