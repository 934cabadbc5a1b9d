package relay

import "fmt"

// MaxLocationsPerEvent bounds the channel locations one event is written to. Each location
// is a lane with its queue and its writer: a tenant makes locations by creating
// InventorySyncs, and without a bound one ordinary event would fan out to as many lanes
// as it has made. An event past the bound is refused as a whole, before anything is
// recorded, with the count in its reason.
const MaxLocationsPerEvent = 500

// refusal says why a valid event, planned into targets, cannot be taken in this scope, or
// "": an order from a sales channel the scope does not hold, or more channel locations to
// write than MaxLocationsPerEvent.
func (s *Scope) refusal(ev *Event, targets []target) string {
	if ev.Trigger == TriggerAllocateOrder && !s.knows(ev.SalesChannel) {
		return fmt.Sprintf("salesChannel %q is not a SalesChannel of this namespace", ev.SalesChannel)
	}
	if n := locationsWritten(targets); n > MaxLocationsPerEvent {
		return fmt.Sprintf("fulfillmentChannel %q reaches %d channel locations, more than the %d one event may be written to; connect fewer locations to this fulfillment channel",
			ev.FulfillmentChannel, n, MaxLocationsPerEvent)
	}
	return ""
}

// locationsWritten counts the channel locations a plan's targets are written to (a kit and
// an alias of one event at one location count once).
func locationsWritten(targets []target) int {
	type location struct{ namespace, channel, id string }
	seen := map[location]bool{}
	for _, t := range targets {
		if t.result == nil {
			seen[location{t.channel.Namespace, t.channel.Name, t.sync.Spec.FulfillmentChannel.LocationID}] = true
		}
	}
	return len(seen)
}
