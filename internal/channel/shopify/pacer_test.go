package shopify

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

var epoch = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return epoch.Add(d) }

func ptr[T any](v T) *T { return &v }

func TestPlanLimits(t *testing.T) {
	cases := []struct {
		plan v1alpha1.Plan
		want bucketLimits
	}{
		{v1alpha1.PlanStandard, bucketLimits{2000, 100}},
		{"", bucketLimits{2000, 100}},
		{v1alpha1.PlanAdvanced, bucketLimits{4000, 200}},
		{v1alpha1.PlanPlus, bucketLimits{20000, 1000}},
		{v1alpha1.PlanEnterprise, bucketLimits{40000, 2000}},
	}
	for _, c := range cases {
		if got := planLimits(c.plan); got != c.want {
			t.Errorf("planLimits(%q) = %+v, want %+v", c.plan, got, c.want)
		}
	}
}

// step is one event applied to a Standard bucket (2,000 points, 100/s) that starts full at
// epoch.
type step struct {
	at       time.Duration
	reserve  float64 // a reservation of this cost, when settle is nil and cancel is 0
	settle   *settlement
	cancel   float64
	wantWait time.Duration
}

type settlement struct {
	reserved float64
	status   *throttleStatus
	actual   *float64
}

func TestLeakyBucket(t *testing.T) {
	cases := []struct {
		name      string
		steps     []step
		wantLevel float64 // at the time of the last step
	}{
		{
			name:      "a call the bucket holds goes at once",
			steps:     []step{{reserve: 10}},
			wantLevel: 1990,
		},
		{
			name:      "a call waits exactly for the deficit to restore",
			steps:     []step{{reserve: 1995}, {reserve: 10, wantWait: 50 * time.Millisecond}},
			wantLevel: -5,
		},
		{
			name: "later reservations queue behind earlier ones",
			steps: []step{
				{reserve: 2000},
				{reserve: 10, wantWait: 100 * time.Millisecond},
				{reserve: 10, wantWait: 200 * time.Millisecond},
			},
			wantLevel: -20,
		},
		{
			name: "the refill since the last event counts, up to the capacity",
			steps: []step{
				{reserve: 2000},
				{at: 5 * time.Second, reserve: 600, wantWait: time.Second},
				{at: 60 * time.Second, reserve: 0},
			},
			wantLevel: 2000,
		},
		{
			name: "a cost above the capacity waits for a full bucket only",
			steps: []step{
				{reserve: 500},
				{reserve: 5000, wantWait: 5 * time.Second},
			},
			wantLevel: -500,
		},
		{
			name: "the server's status replaces the model",
			steps: []step{
				{reserve: 10},
				{at: time.Second, settle: &settlement{reserved: 10, status: &throttleStatus{MaximumAvailable: 4000, CurrentlyAvailable: 300, RestoreRate: 200}, actual: ptr(10.0)}},
				{at: time.Second, reserve: 500, wantWait: time.Second},
			},
			wantLevel: -200,
		},
		{
			name: "other calls in flight are subtracted from the server's level",
			steps: []step{
				{reserve: 10},
				{reserve: 10},
				{settle: &settlement{reserved: 10, status: &throttleStatus{MaximumAvailable: 2000, CurrentlyAvailable: 15, RestoreRate: 100}, actual: ptr(10.0)}},
				{reserve: 10, wantWait: 50 * time.Millisecond},
			},
			wantLevel: -5,
		},
		{
			name: "without a status the unused part of the reservation is refunded",
			steps: []step{
				{reserve: 800},
				{settle: &settlement{reserved: 800, actual: ptr(300.0)}},
			},
			wantLevel: 1700,
		},
		{
			name: "without any cost the reservation counts as spent",
			steps: []step{
				{reserve: 800},
				{settle: &settlement{reserved: 800}},
			},
			wantLevel: 1200,
		},
		{
			name: "a cancelled reservation is given back",
			steps: []step{
				{reserve: 2000},
				{reserve: 100, wantWait: time.Second},
				{cancel: 100},
				{reserve: 10, wantWait: 100 * time.Millisecond},
			},
			wantLevel: -10,
		},
		{
			name: "a THROTTLED response's status makes the retry wait for the requested cost",
			steps: []step{
				{reserve: 502},
				{settle: &settlement{reserved: 502, status: &throttleStatus{MaximumAvailable: 2000, CurrentlyAvailable: 200, RestoreRate: 100}}},
				{reserve: 502, wantWait: 3020 * time.Millisecond},
			},
			wantLevel: -302,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newLeakyBucket(planLimits(v1alpha1.PlanStandard), epoch)
			for i, s := range c.steps {
				now := at(s.at)
				switch {
				case s.settle != nil:
					b.settle(now, s.settle.reserved, s.settle.status, s.settle.actual)
				case s.cancel > 0:
					b.cancel(now, s.cancel)
				default:
					if _, wait := b.reserve(now, s.reserve); wait != s.wantWait {
						t.Fatalf("step %d: wait %v, want %v", i, wait, s.wantWait)
					}
				}
			}
			if b.level != c.wantLevel {
				t.Errorf("level %v, want %v", b.level, c.wantLevel)
			}
		})
	}
}

// fakeClock is a clock whose Sleep advances time at once, recording each wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

func TestPacerSharesTheBucketBetweenGoroutines(t *testing.T) {
	clock := newFakeClock()
	// The clock stands still while the goroutines reserve: together they ask for 3,000
	// points from a bucket of 2,000, so the waits must add up to the 1,000-point deficit.
	var mu sync.Mutex
	var longest time.Duration
	hold := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		longest = max(longest, d)
		return ctx.Err()
	}
	p := newPacer(planLimits(v1alpha1.PlanStandard), clock.Now, hold)
	var wg sync.WaitGroup
	for range 300 {
		wg.Go(func() {
			if _, err := p.acquire(context.Background(), 10); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if longest != 10*time.Second {
		t.Errorf("last caller waits %v, want 10s", longest)
	}
}

func TestPacerGivesBackTheReservationWhenTheContextEnds(t *testing.T) {
	clock := newFakeClock()
	cancelled := func(context.Context, time.Duration) error { return context.Canceled }
	p := newPacer(planLimits(v1alpha1.PlanStandard), clock.Now, cancelled)
	if _, err := p.acquire(context.Background(), 2000); err != nil {
		t.Fatal(err)
	}
	if _, err := p.acquire(context.Background(), 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire: %v, want context.Canceled", err)
	}
	if p.bucket.level != 0 || p.bucket.inFlight != 2000 {
		t.Errorf("level %v in flight %v, want 0 and 2000", p.bucket.level, p.bucket.inFlight)
	}
}

func TestPacerMetersPointsSpentAndRestored(t *testing.T) {
	clock := newFakeClock()
	var spent, restored float64
	p := newPacer(planLimits(v1alpha1.PlanStandard), clock.Now, clock.Sleep)
	p.meter = func(s, r float64) { spent, restored = spent+s, restored+r }

	// 1,000 points reserved, 600 charged: the answer's actual cost is what was spent.
	reserved, err := p.acquire(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	actual := 600.0
	p.settle(reserved, nil, &actual)
	// Five seconds at 100 points a second restore 500 of the 600 missing; the next call
	// reserves 10 and reports nothing of its cost.
	_ = clock.Sleep(context.Background(), 5*time.Second)
	if reserved, err = p.acquire(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	p.settle(reserved, nil, nil)
	if spent != 610 || restored != 500 {
		t.Errorf("spent %v, restored %v; want 610 and 500", spent, restored)
	}
}
