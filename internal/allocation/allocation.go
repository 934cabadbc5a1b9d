// Package allocation decides how much of the fulfillment side's stock a sales channel may
// show. A channel's number is a promise to sell, so a retailer holds some stock back from a
// channel, shares it between channels, caps it, or shows nothing once it runs low. It imports
// no Kubernetes code.
package allocation

// Rules are a channel's allocation rules. The zero value shows the level as it is.
type Rules struct {
	// Threshold: when the level is below it, the channel shows 0. Zero disables it.
	Threshold int64
	// Buffer is held back from the level: units the channel never shows.
	Buffer int64
	// Percent of what remains after the buffer, rounded down; nil shows all of it (100).
	Percent *int64
	// Maximum caps what the channel shows; nil leaves it uncapped.
	Maximum *int64
}

// Empty reports whether the rules change nothing: the channel shows the level as it is
// (a negative level still shows as 0 only under rules; without them it passes unchanged).
func (r Rules) Empty() bool {
	return r.Threshold == 0 && r.Buffer == 0 && r.Percent == nil && r.Maximum == nil
}

// Apply is what a channel under r shows for a fulfillment level, in this order:
//
//  1. threshold: a level below Threshold shows 0;
//  2. buffer: Buffer units are held back, never going below 0;
//  3. percentage: Percent of the rest, rounded down;
//  4. maximum: at most Maximum.
//
// The result is never negative, never above Maximum, and never decreases when the level
// increases: each step keeps that order. Levels and rule values are within the operator's
// quantity bound (±1,000,000,000), so level × Percent cannot overflow.
func Apply(r Rules, level int64) int64 {
	if r.Empty() {
		return level
	}
	if level < r.Threshold || level <= 0 {
		return 0
	}
	q := max(level-max(r.Buffer, 0), 0)
	if r.Percent != nil {
		q = q * min(max(*r.Percent, 0), 100) / 100
	}
	if r.Maximum != nil {
		q = min(q, max(*r.Maximum, 0))
	}
	return q
}
