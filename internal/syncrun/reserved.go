package syncrun

import (
	"context"
	"time"

	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/fulfillment"
	"github.com/techoms/inventory-operator/internal/reservation"
	"github.com/techoms/inventory-operator/internal/skumap"
)

// ReservationSource supplies the units that left the fulfillment channel after a feed's
// snapshot, per warehouse SKU, as they count for the run's channel location.
type ReservationSource interface {
	Reserved(ctx context.Context, snapshot time.Time) (reservation.Tally, error)
}

// targets turns the warehouse's levels into what the run writes: the levels less the
// reservations after their snapshot, shown as channel SKUs, under the allocation rules.
// It is one home for that chain, run once at the start and again after a stale write.
type targets struct {
	feed     *fulfillment.Levels
	snapshot time.Time
	source   ReservationSource
	mapping  *skumap.Mapping
	rules    allocation.Rules
	// own is the channel's own orders after the snapshot as first read.
	own reservation.Reserved
}

// reserved reads the reservations after the feed's snapshot; none without a source.
func (t *targets) reserved(ctx context.Context) (reservation.Tally, error) {
	if t.source == nil {
		return reservation.Tally{}, nil
	}
	return t.source.Reserved(ctx, t.snapshot)
}

// net is the warehouse's levels less reserved.
func (t *targets) net(reserved reservation.Reserved) *fulfillment.Levels {
	if len(reserved) == 0 {
		return t.feed
	}
	return t.feed.MapBySKU(func(sku string, q int64) int64 { return reservation.Target(q, reserved[sku]) })
}

// channel shows net levels as channel SKUs and applies the allocation rules.
func (t *targets) channel(net *fulfillment.Levels) (*fulfillment.Levels, skumap.Counts, error) {
	levels := net
	var counts skumap.Counts
	if t.mapping != nil {
		shown, c, err := t.mapping.Show(net)
		if err != nil {
			return nil, c, err
		}
		levels, counts = shown, c
	}
	if !t.rules.Empty() {
		levels = levels.MapQuantities(func(q int64) int64 { return allocation.Apply(t.rules, q) })
	}
	return levels, counts, nil
}

// again re-reads the reservations and returns the channel SKUs' targets with them, and the
// units of the channel's own orders that reached the ledger since the run began, per SKU.
// Those are warehouse SKUs: looked up by a channel SKU that a mapping renames, they are
// not found, and a unit the channel sold meanwhile is then kept sold, never listed twice.
func (t *targets) again(ctx context.Context) (*fulfillment.Levels, reservation.Reserved, error) {
	tally, err := t.reserved(ctx)
	if err != nil {
		return nil, nil, err
	}
	levels, _, err := t.channel(t.net(tally.Counted))
	if err != nil {
		return nil, nil, err
	}
	since := reservation.Reserved{}
	for sku, u := range tally.Own {
		if d := u - t.own[sku]; d > 0 {
			since[sku] = d
		}
	}
	return levels, since, nil
}

// reservedCounts counts the SKUs of the feed with reserved units, and the units subtracted
// from them: never more than a SKU's level.
func reservedCounts(feed *fulfillment.Levels, reserved reservation.Reserved) (skus, units int64) {
	of := reservedIn(feed, reserved)
	for sku := range reserved {
		if _, u := of(sku); u > 0 {
			skus++
			units += u
		}
	}
	return skus, units
}
