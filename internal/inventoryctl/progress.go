package inventoryctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress is the line a wait shows: rewritten in place on a terminal, printed once per
// change otherwise, so a CI log keeps every step without a line a second.
type progress struct {
	w        io.Writer
	terminal bool
	last     string
	started  time.Time
}

func newProgress(w io.Writer) *progress {
	terminal := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			terminal = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progress{w: w, terminal: terminal, started: time.Now()}
}

// show sets the line's message.
func (p *progress) show(msg string) {
	if p.terminal {
		line := fmt.Sprintf("%s (%s)", msg, time.Since(p.started).Round(time.Second))
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.last = msg
		return
	}
	if msg != p.last {
		fmt.Fprintln(p.w, msg)
		p.last = msg
	}
}

// done ends the line on a terminal.
func (p *progress) done() {
	if p.terminal && p.last != "" {
		fmt.Fprintln(p.w)
	}
}

// errStillRunning is what a wait that timed out returns: the request stands, only the
// waiting ended.
var errStillRunning = errors.New("still waiting")

// waitFor calls step every interval until it reports done, fails, or timeout passes; step
// returns the progress message to show meanwhile.
func waitFor(ctx context.Context, p *progress, interval, timeout time.Duration, what string, step func(context.Context) (msg string, done bool, err error)) error {
	// The deadline is checked between reads rather than set on the reads' context: a read
	// cut short by it would fail with a client error instead of saying the request stands.
	deadline := time.Now().Add(timeout)
	defer p.done()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		msg, done, err := step(ctx)
		if done || err != nil {
			return err
		}
		p.show(msg)
		if !time.Now().Before(deadline) {
			return fmt.Errorf("%w after %s for %s (last: %s): the request stands and the manager will still act on it; read its outcome later with `kubectl inventory status`, or wait longer with --timeout",
				errStillRunning, timeout, what, strings.TrimSpace(msg))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
