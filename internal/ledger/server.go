package ledger

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// ServerOptions configure a JetStream server run in this process: the ledger role of the
// binary, and the tests.
type ServerOptions struct {
	// Host and Port to listen on; Port -1 picks a free one.
	Host string
	Port int
	// StoreDir holds the streams; it must be on a volume for the ledger to survive a restart.
	StoreDir string
	// MaxStore bounds the bytes JetStream may keep on disk; 0 lets the server choose.
	MaxStore int64
	// SyncAlways writes every message to disk before acknowledging it, so a single replica
	// loses nothing it acknowledged when its node loses power.
	SyncAlways bool
	// MonitorPort serves /healthz (and the server's monitoring endpoints); 0 turns it off.
	MonitorPort int
	// Quiet turns the server's own log off, for tests.
	Quiet bool
}

// StartServer starts a JetStream server and waits until it accepts connections.
func StartServer(o ServerOptions) (*server.Server, error) {
	if o.StoreDir == "" {
		return nil, errors.New("a store directory is required")
	}
	opts := &server.Options{
		ServerName:        "inventory-ledger",
		Host:              o.Host,
		Port:              o.Port,
		JetStream:         true,
		StoreDir:          o.StoreDir,
		JetStreamMaxStore: o.MaxStore,
		SyncAlways:        o.SyncAlways,
		HTTPPort:          o.MonitorPort,
		HTTPHost:          o.Host,
		NoSigs:            true,
		NoLog:             o.Quiet,
		MaxPayload:        8 << 20,
	}
	if o.MonitorPort == 0 {
		opts.HTTPPort = 0
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("configuring the ledger's JetStream server: %w", err)
	}
	ns.ConfigureLogger()
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("the ledger's JetStream server did not start within 30s")
	}
	return ns, nil
}
