package shopify

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// bucketLimits are the size and refill rate of Shopify's cost bucket for one app on one
// store, in query-cost points and points per second.
type bucketLimits struct {
	capacity float64
	restore  float64
}

// planLimits is the bucket each plan starts with before the first response reports the real
// one; the responses' throttleStatus always wins afterwards.
func planLimits(plan v1alpha1.Plan) bucketLimits {
	switch plan {
	case v1alpha1.PlanAdvanced:
		return bucketLimits{capacity: 4000, restore: 200}
	case v1alpha1.PlanPlus:
		return bucketLimits{capacity: 20000, restore: 1000}
	case v1alpha1.PlanEnterprise:
		return bucketLimits{capacity: 40000, restore: 2000}
	default:
		return bucketLimits{capacity: 2000, restore: 100}
	}
}

// throttleStatus is what a response says about the bucket right after the server charged it.
type throttleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable float64 `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

// leakyBucket is this client's model of the server's bucket. Reservations may drive the
// level below zero: that is the queue of calls waiting for the refill, so each later caller
// waits behind the earlier ones, and exactly as long as the deficit takes to restore.
type leakyBucket struct {
	limits bucketLimits
	// level is the number of points available at time at.
	level float64
	at    time.Time
	// inFlight is the sum of the reservations of calls that have no response yet; the server
	// may not have charged them when it reports its level.
	inFlight float64
	// spent and restored add up the points calls cost and the points the model refilled.
	spent, restored float64
}

func newLeakyBucket(limits bucketLimits, now time.Time) leakyBucket {
	return leakyBucket{limits: limits, level: limits.capacity, at: now}
}

// refill advances the model to now.
func (b *leakyBucket) refill(now time.Time) {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		level := math.Min(b.limits.capacity, b.level+elapsed.Seconds()*b.limits.restore)
		b.restored += max(level-b.level, 0)
		b.level, b.at = level, now
	}
}

// reserve takes cost points for a call and returns how long the caller must wait before
// sending it so that the server's bucket holds the cost by then. It returns the points
// actually reserved: a cost above the capacity can never be held, so only the capacity is
// waited for and the server decides.
func (b *leakyBucket) reserve(now time.Time, cost float64) (reserved float64, wait time.Duration) {
	b.refill(now)
	reserved = math.Min(math.Max(cost, 0), b.limits.capacity)
	if deficit := reserved - b.level; deficit > 0 {
		wait = time.Duration(math.Ceil(deficit / b.limits.restore * float64(time.Second)))
	}
	b.level -= reserved
	b.inFlight += reserved
	return reserved, wait
}

// cancel gives back a reservation whose call was never sent.
func (b *leakyBucket) cancel(now time.Time, reserved float64) {
	b.refill(now)
	b.level += reserved
	b.inFlight -= reserved
}

// settle records the end of a call that reserved points. With a throttle status the
// server's figures replace the model, less what other calls in flight have reserved (the
// server may not have charged them yet; counting them twice only costs a short wait, while
// not counting them risks a THROTTLED round trip). Without one, the reservation is kept as
// spent less the refund the actual cost allows.
func (b *leakyBucket) settle(now time.Time, reserved float64, status *throttleStatus, actualCost *float64) {
	b.refill(now)
	b.inFlight -= reserved
	if actualCost != nil {
		b.spent += *actualCost
	} else {
		b.spent += reserved
	}
	if status != nil && status.MaximumAvailable > 0 && status.RestoreRate > 0 {
		b.limits = bucketLimits{capacity: status.MaximumAvailable, restore: status.RestoreRate}
		b.level = math.Min(status.CurrentlyAvailable, b.limits.capacity) - b.inFlight
		return
	}
	if actualCost != nil && *actualCost < reserved {
		b.level = math.Min(b.limits.capacity, b.level+reserved-*actualCost)
	}
}

// pacer shares one leakyBucket between every goroutine of a connector.
type pacer struct {
	mu     sync.Mutex
	bucket leakyBucket
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	// meter, when set, is told the points spent and restored since it was last told.
	meter                 func(spent, restored float64)
	metSpent, metRestored float64
}

func newPacer(limits bucketLimits, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	return &pacer{bucket: newLeakyBucket(limits, now()), now: now, sleep: sleep}
}

// acquire waits until a call of the given expected cost may be sent and returns the
// reservation to pass to settle.
func (p *pacer) acquire(ctx context.Context, cost float64) (float64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	p.mu.Lock()
	reserved, wait := p.bucket.reserve(p.now(), cost)
	p.mu.Unlock()
	if wait <= 0 {
		return reserved, nil
	}
	if err := p.sleep(ctx, wait); err != nil {
		p.mu.Lock()
		p.bucket.cancel(p.now(), reserved)
		p.mu.Unlock()
		return 0, err
	}
	return reserved, nil
}

func (p *pacer) settle(reserved float64, status *throttleStatus, actualCost *float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bucket.settle(p.now(), reserved, status, actualCost)
	if p.meter != nil {
		p.meter(p.bucket.spent-p.metSpent, p.bucket.restored-p.metRestored)
		p.metSpent, p.metRestored = p.bucket.spent, p.bucket.restored
	}
}
