package relay

import "sync/atomic"

// Stats are a relay's running totals.
type Stats struct {
	// Events counts the valid events received, retries included.
	Events int64
	// Writes counts connector Write calls; Lookups counts item lookups, most answered from
	// the cache without a channel call, and the reads of what items show before writing an
	// allocation target.
	Writes  int64
	Lookups int64
	// Throttled counts events refused for a channel location because its queue was full.
	Throttled int64
	// Retries counts writes sent again because the channel did not answer.
	Retries int64
}

type counters struct {
	events, writes, lookups, throttled, retries atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{Events: c.events.Load(), Writes: c.writes.Load(), Lookups: c.lookups.Load(), Throttled: c.throttled.Load(), Retries: c.retries.Load()}
}
