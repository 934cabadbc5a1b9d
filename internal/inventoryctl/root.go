// Package inventoryctl is the kubectl inventory plugin: it requests syncs and plans through
// the annotations the manager answers, waits for their outcome in status, reads the
// InventorySyncs' state, and sends events to the relay.
package inventoryctl

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
)

// Exit codes: 2 is what `plan --exit-code` returns when a run would change something, as
// `diff` does, so CI tells "changes" from "failed".
const (
	exitOK      = 0
	exitFailed  = 1
	exitChanges = 2
)

// Streams are the plugin's standard streams, replaced in tests.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// options are the flags every command shares.
type options struct {
	streams    Streams
	kubeconfig string
	context    string
	namespace  string
	timeout    time.Duration
	poll       time.Duration
}

// exitError carries an exit code other than 1; its message, if any, is printed.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// Main runs the plugin with args and returns its exit code.
func Main(args []string, streams Streams) int {
	cmd := newRoot(streams)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return exitOK
	}
	var exit *exitError
	if errors.As(err, &exit) {
		if exit.msg != "" {
			fmt.Fprintln(streams.Err, "error:", exit.msg)
		}
		return exit.code
	}
	fmt.Fprintln(streams.Err, "error:", err)
	return exitFailed
}

func newRoot(streams Streams) *cobra.Command {
	o := &options{streams: streams}
	root := &cobra.Command{
		Use:   "kubectl-inventory",
		Short: "Drive inventory-operator: request syncs and plans, read their state, send events to the relay",
		Long: `kubectl inventory requests syncs and plans of InventorySyncs and waits for them, shows
their state, and sends inventory events to the relay. It uses your kubeconfig and your RBAC:
requesting a sync or a plan needs patch on inventorysyncs (or saleschannels for --channel).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations: map[string]string{
			// cobra names the command in usage and completion scripts after this.
			cobra.CommandDisplayNameAnnotation: "kubectl inventory",
		},
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	f := root.PersistentFlags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&o.context, "context", "", "kubeconfig context to use")
	f.StringVarP(&o.namespace, "namespace", "n", "", "namespace (default: the context's namespace)")
	f.DurationVar(&o.timeout, "timeout", 15*time.Minute, "longest wait for a sync or a plan")
	// How often a wait reads the object again; hidden, since only tests need another value.
	f.DurationVar(&o.poll, "poll-interval", time.Second, "how often a wait reads the object")
	_ = f.MarkHidden("poll-interval")
	root.AddCommand(newSyncCommand(o), newPlanCommand(o), newStatusCommand(o), newSendCommand(o))
	return root
}
