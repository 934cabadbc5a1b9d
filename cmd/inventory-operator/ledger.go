package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/techoms/inventory-operator/internal/ledger"
)

// runLedger runs the JetStream server that holds the relay's ledger, from the project's own
// image, so the single-node default needs nothing the user installs.
func runLedger(args []string) int {
	var o ledger.ServerOptions
	fs := flag.NewFlagSet("ledger", flag.ContinueOnError)
	fs.StringVar(&o.Host, "host", "0.0.0.0", "address the NATS client port binds to")
	fs.IntVar(&o.Port, "port", 4222, "NATS client port")
	fs.IntVar(&o.MonitorPort, "monitor-port", 8222, "port of the server's /healthz and monitoring endpoints; 0 turns it off")
	fs.StringVar(&o.StoreDir, "store-dir", "/data", "directory of the JetStream store; mount a volume there")
	fs.Int64Var(&o.MaxStore, "max-store-bytes", 0, "bytes JetStream may keep on disk (0: the server's own default, from the volume's free space)")
	fs.BoolVar(&o.SyncAlways, "sync-always", true, "write every message to disk before acknowledging it: one server keeps what it acknowledged through a power loss")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ns, err := ledger.StartServer(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ledger:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "ledger: serving NATS JetStream at %s, store %s\n", ns.ClientURL(), o.StoreDir)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	// Lame duck mode would move clients to other servers of a cluster; alone, a prompt
	// shutdown that flushes the store is what matters.
	ns.Shutdown()
	ns.WaitForShutdown()
	return 0
}
