// Package ledgertest runs a real JetStream server in the test process for tests of the
// ledger and of the relay.
package ledgertest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/techoms/inventory-operator/internal/ledger"
)

// Server is a JetStream server on loopback, stopped when the test ends.
type Server struct {
	*server.Server
	URL string
}

// Start starts a server whose store lives in the test's temporary directory.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, false)
}

// StartDurable starts a server that writes every message to disk before acknowledging it,
// as the ledger's StatefulSet does: for benchmarks.
func StartDurable(t testing.TB) *Server {
	t.Helper()
	return start(t, true)
}

func start(t testing.TB, syncAlways bool) *Server {
	t.Helper()
	ns, err := ledger.StartServer(ledger.ServerOptions{Host: "127.0.0.1", Port: -1, StoreDir: t.TempDir(), SyncAlways: syncAlways, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return &Server{Server: ns, URL: ns.ClientURL()}
}

// Open opens the ledger on the server, closed when the test ends.
func (s *Server) Open(t testing.TB) *ledger.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := ledger.Open(ctx, ledger.Options{URL: s.URL, Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}
