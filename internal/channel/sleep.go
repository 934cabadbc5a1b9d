package channel

import (
	"context"
	"time"
)

// Sleep waits for d or until ctx ends, whichever comes first, returning ctx's error in the
// second case: the wait connectors make between calls, which a caller can replace to observe
// or skip it.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
