package syncrun

import "github.com/techoms/inventory-operator/internal/channel"

// errorAttrs are the log attributes of a failure: its message, and the start of the channel's
// raw answer when it kept one. The raw answer goes to the pod's log only, never into the
// result, which reaches status and Events: a channel URL may point at any server.
func errorAttrs(err error) []any {
	attrs := []any{"error", err.Error()}
	if answer := channel.Answer(err); answer != "" {
		attrs = append(attrs, "answer", answer)
	}
	return attrs
}
