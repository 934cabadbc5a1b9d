package controllers

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"

	"github.com/techoms/inventory-operator/internal/eventnote"
)

// boundedRecorder records Events whose note fits the API server's limit, so an Event with a
// long message (a failed run's reason) is shortened rather than rejected and lost.
type boundedRecorder struct {
	events.EventRecorder
}

func (r boundedRecorder) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any) {
	r.EventRecorder.Eventf(regarding, related, eventtype, reason, action, "%s", eventnote.Bound(fmt.Sprintf(note, args...)))
}
