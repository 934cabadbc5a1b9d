// Package ledger is the relay's durable record on NATS JetStream, shared by every relay
// replica: which events were accepted for which channel location (claims), what each
// channel location's one writer is about to send (intents, fenced by a lease's revision),
// and the newest level sequence per fulfillment channel and SKU.
//
// Every state change is a compare-and-swap on a key-value revision, so two replicas never
// both take an event, both settle it, or both write to one channel location: the one whose
// revision is stale learns it before it acts.
package ledger
