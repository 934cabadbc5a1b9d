package controllers

// blocker is why an object cannot do what its spec asks right now, with a reason a person can
// act on. A dependency that is missing (a Secret, a key, the SalesChannel) clears by itself
// when it appears, since the reconcilers watch what it names. A spec problem the schema could
// not catch (an invalid schedule or time zone, a CronJob name taken by another object) clears
// only with a change, and makes the object Stalled.
type blocker struct {
	Reason  string
	Message string
	// NeedsSpecChange: nothing the manager watches can clear it.
	NeedsSpecChange bool
}

func (b *blocker) Error() string { return b.Message }

// missing is a dependency that does not exist yet.
func missing(reason, message string) *blocker { return &blocker{Reason: reason, Message: message} }

// specProblem is a spec the manager cannot act on.
func specProblem(reason, message string) *blocker {
	return &blocker{Reason: reason, Message: message, NeedsSpecChange: true}
}

// worse keeps the blocker that tells the most: a spec problem before a missing dependency,
// otherwise the first found.
func worse(a, b *blocker) *blocker {
	if a == nil || (b != nil && b.NeedsSpecChange && !a.NeedsSpecChange) {
		return b
	}
	return a
}
