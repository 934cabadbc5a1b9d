package relay

import (
	"context"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/retry"
	"github.com/techoms/inventory-operator/internal/metrics"
)

// Kinds of channel calls, and their results, as the relay's metrics name them.
const (
	callRead  = "read"
	callWrite = "write"

	callOK      = "ok"
	callRefused = "refused"
	callError   = "error"
)

// meteredConnector reports the calls of the connector it wraps in the relay's metrics: each
// Items call as a read, each Write as a write with the number of changes it carries. Their
// durations include the connector's pacing and retries.
type meteredConnector struct {
	channel.Connector
	platform string
}

func metered(conn channel.Connector, platform v1alpha1.Platform) channel.Connector {
	return &meteredConnector{Connector: conn, platform: string(platform)}
}

func (c *meteredConnector) Items(ctx context.Context, skus []string, fn func(channel.Item) error) error {
	start := time.Now()
	err := c.Connector.Items(ctx, skus, fn)
	metrics.ChannelCall(c.platform, callRead, callResult(err), time.Since(start))
	return err
}

func (c *meteredConnector) Write(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change) ([]channel.ChangeResult, error) {
	metrics.BatchSize(len(changes))
	metrics.CallsOut(c.platform, 1)
	defer metrics.CallsOut(c.platform, -1)
	start := time.Now()
	results, err := c.Connector.Write(ctx, strategy, key, changes)
	metrics.ChannelCall(c.platform, callWrite, callResult(err), time.Since(start))
	return results, err
}

// callResult names how a call ended: a refusal applied nothing, any other error leaves the
// outcome unknown.
func callResult(err error) string {
	switch {
	case err == nil:
		return callOK
	case channel.IsRefused(err):
		return callRefused
	default:
		return callError
	}
}

// meteredSleep is the wait a connector makes before a call (pacing to the channel's rate
// limit, a Retry-After, a retry's backoff): it adds the time waited to the platform's
// throttle waits. It returns ctx's error when ctx ends first, as connectors require.
func meteredSleep(platform v1alpha1.Platform) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		start := time.Now()
		err := retry.Sleep(ctx, d)
		metrics.ThrottleWait(string(platform), time.Since(start))
		return err
	}
}
