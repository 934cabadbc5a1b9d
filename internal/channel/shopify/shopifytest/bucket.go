package shopifytest

import (
	"fmt"
	"sync"
	"time"
)

// Plan limits of the Admin GraphQL API: bucket size and restore rate in points per second.
// The bucket holds twenty seconds of restore (Standard: 2,000 points restoring 100 a second).
type planLimits struct {
	max, restore float64
}

var plans = map[string]planLimits{
	"Standard":   {max: 2000, restore: 100},
	"Advanced":   {max: 4000, restore: 200},
	"Plus":       {max: 20000, restore: 1000},
	"Enterprise": {max: 40000, restore: 2000},
}

func limitsFor(plan string) (planLimits, error) {
	if plan == "" {
		plan = "Standard"
	}
	l, ok := plans[plan]
	if !ok {
		return planLimits{}, fmt.Errorf("unknown Shopify plan %q (Standard, Advanced, Plus or Enterprise)", plan)
	}
	return l, nil
}

// bucket is Shopify's leaky bucket: a request takes its requested cost up front, the unused
// part is refunded once the actual cost is known, and the bucket refills continuously.
type bucket struct {
	mu        sync.Mutex
	limits    planLimits
	available float64
	last      time.Time
	now       func() time.Time
}

func newBucket(limits planLimits, now func() time.Time) *bucket {
	return &bucket{limits: limits, available: limits.max, last: now(), now: now}
}

// throttleStatus is extensions.cost.throttleStatus.
type throttleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable int     `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

func (b *bucket) refillLocked() {
	t := b.now()
	if elapsed := t.Sub(b.last).Seconds(); elapsed > 0 {
		b.available = min(b.limits.max, b.available+elapsed*b.limits.restore)
	}
	b.last = t
}

// take spends cost if the bucket holds it and reports whether it did.
func (b *bucket) take(cost int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refillLocked()
	if float64(cost) > b.available {
		return false
	}
	b.available -= float64(cost)
	return true
}

// refund returns points a request reserved but did not use.
func (b *bucket) refund(points int) {
	if points <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refillLocked()
	b.available = min(b.limits.max, b.available+float64(points))
}

func (b *bucket) status() throttleStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refillLocked()
	return throttleStatus{MaximumAvailable: b.limits.max, CurrentlyAvailable: int(b.available), RestoreRate: b.limits.restore}
}
