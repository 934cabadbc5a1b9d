package shopify

import (
	"context"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel/retry"
)

// Bucket is a store's rate-limit bucket as this process models it, for connectors of one
// store and app at several locations to share (Config.Bucket): Shopify's GraphQL Admin API
// keeps one bucket per store and app, whatever location a call names, and every answer's
// throttleStatus corrects the model.
type Bucket struct {
	pacer *pacer
}

// NewBucket models the bucket of a store on plan; sleep waits (retry.Sleep when nil).
func NewBucket(plan v1alpha1.Plan, sleep func(context.Context, time.Duration) error) *Bucket {
	if sleep == nil {
		sleep = retry.Sleep
	}
	return &Bucket{pacer: newPacer(planLimits(plan), time.Now, sleep)}
}

// Metered makes the bucket tell meter, at the end of each call, the points spent since the
// last call (the actual costs Shopify's answers report, else what the calls reserved) and
// the points its model restored at the store's refill rate. Set it before the bucket paces
// any call.
func (b *Bucket) Metered(meter func(spent, restored float64)) *Bucket {
	b.pacer.meter = meter
	return b
}

// SharesBucket says whether two connectors pace their calls with one bucket.
func SharesBucket(a, b *Connector) bool { return a.pacer == b.pacer }
