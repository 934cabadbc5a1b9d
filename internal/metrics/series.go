package metrics

import "sync"

// lastLabel remembers, per object, the value of the one label of its series that changes with
// the object (a sync's channel, a channel's mode). A reconcile that changes it deletes the old
// series by its exact labels: a partial-match delete scans every series of the metric, which
// on every reconcile of thousands of objects costs time in proportion to their number.
type lastLabel struct {
	mu     sync.Mutex
	values map[objectKey]string
}

type objectKey struct{ namespace, name string }

// swap records value for the object and returns the one it replaces, if it had one.
func (l *lastLabel) swap(namespace, name, value string) (previous string, had bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.values == nil {
		l.values = map[objectKey]string{}
	}
	key := objectKey{namespace, name}
	previous, had = l.values[key]
	l.values[key] = value
	return previous, had
}

// forget drops the object.
func (l *lastLabel) forget(namespace, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.values, objectKey{namespace, name})
}
