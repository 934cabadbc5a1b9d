package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

const labelPlatform = "platform"

var (
	relayEvents = counterVec("relay", "events_total",
		"Event results per channel location, by the event's trigger and the result's status (Pushed, NotApplicable, Failed, Throttled).",
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
		"Events waiting in the relay's queues, all channel locations together.")
	relayThrottleWait = counterVec("relay", "throttle_wait_seconds_total",
		"Seconds spent waiting for a channel's rate limit before calls, by platform.",
		labelPlatform)
	relayLedgerEntries = gaugeVec("relay", "ledger_entries",
		"Event results the idempotency ledger holds.")
	relayLedgerBytes = gaugeVec("relay", "ledger_bytes",
		"Bytes the idempotency ledger accounts for, against its bound.")

	relayCollectors = []prometheus.Collector{
		relayEvents, relayRequestDuration, relayChannelCalls, relayChannelCallDuration, relayBatchSize,
		relayQueueDepth, relayThrottleWait, relayLedgerEntries, relayLedgerBytes,
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

// BatchSize observes the changes of one write.
func BatchSize(n int) { relayBatchSize.WithLabelValues().Observe(float64(n)) }

// QueueDepth sets the events waiting in every lane.
func QueueDepth(n int) { relayQueueDepth.WithLabelValues().Set(float64(n)) }

// ThrottleWait adds time spent waiting for a channel's rate limit.
func ThrottleWait(platform string, d time.Duration) {
	relayThrottleWait.WithLabelValues(platform).Add(d.Seconds())
}

// Ledger sets the idempotency ledger's size.
func Ledger(entries int, bytes int64) {
	relayLedgerEntries.WithLabelValues().Set(float64(entries))
	relayLedgerBytes.WithLabelValues().Set(float64(bytes))
}
