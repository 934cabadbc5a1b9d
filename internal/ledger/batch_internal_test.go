package ledger

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The buckets take atomic batches, and a batch with one stale record writes none of them.
func TestAtomicBatchWritesAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	ns, err := StartServer(ServerOptions{Host: "127.0.0.1", Port: -1, StoreDir: dir, SyncAlways: true, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, Options{URL: ns.ClientURL(), Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.batches {
		t.Fatal("the buckets do not take atomic batches")
	}
	if err := s.writeAtomic(ctx, ClaimsBucket, []put{{key: "c.a", data: []byte("1")}, {key: "c.b", data: []byte("1")}}); err != nil {
		t.Fatal(err)
	}
	err = s.writeAtomic(ctx, ClaimsBucket, []put{{key: "c.c", data: []byte("1")}, {key: "c.a", data: []byte("2")}})
	if !errors.Is(err, errBatchRefused) {
		t.Fatalf("a batch creating a key that exists: %v, want refused", err)
	}
	if _, err := s.claims.Get(ctx, "c.c"); err == nil {
		t.Fatal("a refused batch wrote one of its records")
	}
	if e, err := s.claims.Get(ctx, "c.a"); err != nil || string(e.Value()) != "1" {
		t.Fatalf("c.a: %v", err)
	}
}
