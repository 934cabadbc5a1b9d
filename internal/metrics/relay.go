package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

const labelPlatform = "platform"

var (
	relayEvents = counterVec("relay", "events_total",
		"Event results per channel location, by the event's trigger and the result's status (Pushed, NotApplicable, Failed, Throttled, Accepted).",
		labelTrigger, labelOutcome)
	relayRequestDuration = histogramVec("relay", "request_duration_seconds",
		"Time to answer one POST of events, from the request to the last result.",
		prometheus.ExponentialBuckets(0.005, 2, 12))
	relayChannelCalls = counterVec("relay", "channel_calls_total",
		"Calls to sales channels by platform, kind (read or write) and result (ok, refused, error).",
		labelPlatform, "call", labelResult)
	relayChannelCallDuration = histogramVec("relay", "channel_call_duration_seconds",
		"Duration of calls to sales channels, pacing waits included.",
		prometheus.ExponentialBuckets(0.005, 2, 12), labelPlatform, "call")
	relayBatchSize = histogramVec("relay", "batch_size",
		"Changes carried by one write to a channel.",
		[]float64{1, 2, 5, 10, 25, 50, 100, 250})
	relayQueueDepth = gaugeVec("relay", "queue_depth",
		"Accepted events not yet settled, all channel locations together, as this replica's view of the ledger shows them.")
	relayThrottleWait = counterVec("relay", "throttle_wait_seconds_total",
		"Seconds the connectors waited before calls to channels, by platform: pacing to the channel's rate limit, a Retry-After, a retry's backoff.",
		labelPlatform)
	relayWriteRetries = counterVec("relay", "write_retries_total",
		"Writes the relay sent again because the channel did not answer, was down or throttled.")
	relayUnresolvedWrites = counterVec("relay", "unresolved_writes_total",
		"Writes without an answer left too long to send again: their events are reported OutcomeUnknown and the channel needs comparing with the warehouse.")
	relayStorePointsSpent = counterVec("relay", "store_points_spent_total",
		"Rate-limit points the relay's calls to Shopify stores cost, all stores together: each answer's actual query cost.")
	relayStorePointsRestored = counterVec("relay", "store_points_restored_total",
		"Rate-limit points Shopify stores restored to the relay's buckets at their refill rates, as the relay models them, all stores together: spent close to restored means the stores' limits are reached.")
	relayCallsOut = gaugeVec("relay", "channel_calls_in_flight",
		"Writes to sales channels sent and not answered yet, by platform: a Shopify store's writer has up to --calls-per-store out at once.",
		labelPlatform)
	relayLanes = gaugeVec("relay", "lanes",
		"Writers this replica runs (holds the lease of): a Shopify store, or a webhook channel location.")

	relayCollectors = []prometheus.Collector{
		relayEvents, relayRequestDuration, relayChannelCalls, relayChannelCallDuration, relayBatchSize,
		relayQueueDepth, relayThrottleWait, relayWriteRetries, relayUnresolvedWrites, relayLanes, relayCallsOut,
		relayStorePointsSpent, relayStorePointsRestored,
	}
)

// RegisterRelay adds the relay's metrics to reg.
func RegisterRelay(reg prometheus.Registerer) error { return register(reg, relayCollectors) }

// RelayEvent counts one event result for one channel location.
func RelayEvent(trigger, status string) { relayEvents.WithLabelValues(trigger, status).Inc() }

// RelayRequest observes how long one POST of events took.
func RelayRequest(d time.Duration) { relayRequestDuration.WithLabelValues().Observe(d.Seconds()) }

// ChannelCall observes one call to a channel; call is "read" or "write", result "ok",
// "refused" or "error".
func ChannelCall(platform, call, result string, d time.Duration) {
	relayChannelCalls.WithLabelValues(platform, call, result).Inc()
	relayChannelCallDuration.WithLabelValues(platform, call).Observe(d.Seconds())
}

// StorePoints adds the rate-limit points calls to a store spent and its bucket restored.
func StorePoints(spent, restored float64) {
	relayStorePointsSpent.WithLabelValues().Add(max(spent, 0))
	relayStorePointsRestored.WithLabelValues().Add(max(restored, 0))
}

// CallsOut adds delta to the writes to channels of platform not answered yet.
func CallsOut(platform string, delta int) {
	relayCallsOut.WithLabelValues(platform).Add(float64(delta))
}

// BatchSize observes the changes of one write.
func BatchSize(n int) { relayBatchSize.WithLabelValues().Observe(float64(n)) }

// Queued adds delta to the events waiting in the relay's queues: 1 when one is queued, -1
// when a worker takes it. Adding, rather than setting a sum, keeps queues that change at
// the same moment from overwriting each other's count.
func Queued(delta int) { relayQueueDepth.WithLabelValues().Add(float64(delta)) }

// ThrottleWait adds time a connector waited before a call: pacing, a Retry-After, a backoff.
func ThrottleWait(platform string, d time.Duration) {
	relayThrottleWait.WithLabelValues(platform).Add(d.Seconds())
}

// RelayWriteRetry counts one write sent again.
func RelayWriteRetry() { relayWriteRetries.WithLabelValues().Inc() }

// RelayUnresolvedWrite counts one write whose outcome the relay gave up resolving.
func RelayUnresolvedWrite() { relayUnresolvedWrites.WithLabelValues().Inc() }

// RelayLanes adds delta to the channel locations this replica writes.
func RelayLanes(delta int) { relayLanes.WithLabelValues().Add(float64(delta)) }
