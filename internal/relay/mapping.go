package relay

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/allocation"
	"github.com/techoms/inventory-operator/internal/ledger"
	"github.com/techoms/inventory-operator/internal/policy"
	"github.com/techoms/inventory-operator/internal/skumap"
	"github.com/techoms/inventory-operator/internal/workload"
)

// planInputs is what planning an event reads besides the scope: catalog mappings held in
// ConfigMaps, and the levels the ledger learned from earlier events, which a kit needs.
type planInputs interface {
	// mapping returns the parsed mapping of a ConfigMap key in namespace.
	mapping(namespace string, ref v1alpha1.ConfigMapKeySelector, unmapped v1alpha1.UnmappedSKUs) (*skumap.Mapping, error)
	// knownLevel returns the level last reported for a fulfillment channel's SKU, if it is
	// still trusted (ledger.KnownLevelTTL).
	knownLevel(fulfillmentChannel, sku string) (int64, bool)
}

// derivedSKU is one channel SKU an event's SKU reaches, with its components under the
// mapping (none without a mapping or for an unmapped SKU).
type derivedSKU struct {
	sku        string
	components []skumap.Component
}

// unmappedAnswer is why an event reaches no channel SKU at a location.
type unmappedAnswer struct {
	reason, message string
}

// deriveSKUs returns the channel SKUs the location's effective catalog mapping derives from
// the event's SKU, or why there are none.
func deriveSKUs(in planInputs, ch *v1alpha1.SalesChannel, s *v1alpha1.InventorySync, ev *Event) ([]derivedSKU, *unmappedAnswer) {
	m := v1alpha1.EffectiveMapping(s, ch)
	switch {
	case m == nil:
		return []derivedSKU{{sku: ev.SKU}}, nil
	case m.Feed != nil:
		// The relay never fetches a URL a tenant names: the sync pods do, under their
		// egress rules.
		return nil, &unmappedAnswer{ReasonMappingFromFeed, "this location's catalog mapping is read from a URL, which only the sync runs read; the relay follows mappings held in ConfigMaps only, so the next scheduled run corrects the channel"}
	case m.ConfigMapRef == nil:
		return []derivedSKU{{sku: ev.SKU}}, nil
	}
	mp, err := in.mapping(ch.Namespace, *m.ConfigMapRef, m.Unmapped)
	if err != nil {
		return nil, &unmappedAnswer{ReasonMappingUnavailable, fmt.Sprintf("the catalog mapping in ConfigMap %s, key %s, cannot be used: %v; the next scheduled run after it is fixed corrects the channel", m.ConfigMapRef.Name, m.ConfigMapRef.Key, err)}
	}
	skus, skipped := mp.Derived(ev.SKU)
	switch {
	case skipped:
		return nil, &unmappedAnswer{ReasonUnmappedSkipped, fmt.Sprintf("no row of the catalog mapping names %q and the mapping skips unmapped SKUs", ev.SKU)}
	case len(skus) == 0:
		return nil, &unmappedAnswer{ReasonShownFromComponents, fmt.Sprintf("the catalog mapping makes %q of other warehouse SKUs: the channel shows it from their levels, never from its own", ev.SKU)}
	}
	out := make([]derivedSKU, len(skus))
	for i, sku := range skus {
		comps, _ := mp.Components(sku)
		out[i] = derivedSKU{sku: sku, components: comps}
	}
	return out, nil
}

// planKit plans a kit the event's SKU is a component of. A kit shows a level, computed from
// every component's (skumap.LevelOf), so the event needs quantityAfter and the ledger the
// other components' levels; then the allocation rules apply, and the lane brings the kit's
// items to that level with compare-and-swap, as for allocation rules.
func planKit(in planInputs, t target, s *v1alpha1.InventorySync, ev *Event, push policy.Push, base ChannelResult, d derivedSKU, rules allocation.Rules, feeds int) target {
	notApplicable := func(reason, msg string) target {
		base.Status, base.Reason, base.Message = StatusNotApplicable, reason, msg
		t.result = &base
		return t
	}
	if feeds > 1 {
		return notApplicable(ReasonSummedFeeds, fmt.Sprintf("this location sums %d warehouses' feeds and kit %q is computed from the sums; one warehouse's event does not carry them, so the next scheduled run corrects the channel", feeds, d.sku))
	}
	if ev.QuantityAfter == nil {
		return notApplicable(ReasonKitNeedsLevels, fmt.Sprintf("kit %q is computed from its components' levels and the event carries no quantityAfter for %q: send quantityBefore and quantityAfter; the next scheduled run corrects the channel", d.sku, ev.SKU))
	}
	levels := map[string]int64{ev.SKU: *ev.QuantityAfter}
	var missing []string
	for _, c := range d.components {
		if c.WarehouseSKU == ev.SKU {
			continue
		}
		q, ok := in.knownLevel(ev.FulfillmentChannel, c.WarehouseSKU)
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", c.WarehouseSKU))
			continue
		}
		levels[c.WarehouseSKU] = q
	}
	if len(missing) > 0 {
		return notApplicable(ReasonKitNeedsLevels, fmt.Sprintf("kit %q needs the level of every component: no level of %s from fulfillment channel %s is known within the last %s (levels are learned from events with quantityAfter); the next scheduled run corrects the channel",
			d.sku, strings.Join(missing, ", "), ev.FulfillmentChannel, ledger.KnownLevelTTL))
	}
	shown, _ := skumap.LevelOf(d.components, func(sku string) (int64, bool) { q, ok := levels[sku]; return q, ok })
	t.strategy, t.quantity, t.allocated = workload.StrategyFor(push), allocation.Apply(rules, shown), true
	return t
}

// mappingRecheck is how long a parsed ConfigMap mapping is used before the ConfigMap is read
// again: an edit reaches the relay within it, and a burst of events costs one read.
const mappingRecheck = 30 * time.Second

// maxCachedMappings bounds the mappings kept between sweeps of those not used for a while.
const maxCachedMappings = 64

// mappingCache keeps parsed ConfigMap mappings, re-reading each ConfigMap at most every
// mappingRecheck and parsing it again only when its version changed. A mapping that cannot
// be read or parsed is remembered as such for as long.
type mappingCache struct {
	mu      sync.Mutex
	entries map[mappingCacheKey]*cachedMapping
}

type mappingCacheKey struct {
	namespace, name, key string
	unmapped             v1alpha1.UnmappedSKUs
}

type cachedMapping struct {
	version string
	mapping *skumap.Mapping
	err     error
	checked time.Time
}

func newMappingCache() *mappingCache {
	return &mappingCache{entries: map[mappingCacheKey]*cachedMapping{}}
}

// get returns the mapping of a ConfigMap key, read through dir when not checked within
// mappingRecheck of now.
func (c *mappingCache) get(ctx context.Context, dir Directory, now time.Time, namespace string, ref v1alpha1.ConfigMapKeySelector, unmapped v1alpha1.UnmappedSKUs) (*skumap.Mapping, error) {
	k := mappingCacheKey{namespace, ref.Name, ref.Key, unmapped}
	c.mu.Lock()
	held := c.entries[k]
	c.mu.Unlock()
	if held != nil && now.Sub(held.checked) < mappingRecheck {
		return held.mapping, held.err
	}
	text, version, err := dir.ConfigMapKey(ctx, namespace, ref)
	fresh := &cachedMapping{version: version, checked: now, err: err}
	switch {
	case err != nil:
	case held != nil && held.err == nil && held.version == version:
		fresh.mapping = held.mapping
	default:
		fresh.mapping, fresh.err = skumap.ParseCSV(bytes.NewReader(text), skumap.Unmapped(unmapped))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[k] = fresh
	if len(c.entries) > maxCachedMappings {
		for key, e := range c.entries {
			if now.Sub(e.checked) >= mappingRecheck {
				delete(c.entries, key)
			}
		}
	}
	return fresh.mapping, fresh.err
}

// requestInputs reads a request's mappings and known levels for planEvent.
type requestInputs struct {
	ctx context.Context
	s   *Service
}

func (r requestInputs) mapping(namespace string, ref v1alpha1.ConfigMapKeySelector, unmapped v1alpha1.UnmappedSKUs) (*skumap.Mapping, error) {
	return r.s.mappings.get(r.ctx, r.s.cfg.Directory, r.s.cfg.Now(), namespace, ref, unmapped)
}

// knownLevel treats a level the ledger cannot be asked for as unknown: the kit is then not
// written, and the next full sync corrects it.
func (r requestInputs) knownLevel(fulfillmentChannel, sku string) (int64, bool) {
	l, ok, err := r.s.store.KnownLevelOf(r.ctx, fulfillmentChannel, sku, r.s.cfg.Now())
	if err != nil {
		return 0, false
	}
	return l.Quantity, ok
}

// recordKnownLevel keeps what an accepted event says of its SKU's level for the kits that
// contain it: its quantityAfter, or, for an increment alone, that the level is no longer
// known. The event is accepted whatever happens here: a level not recorded only leaves a
// kit to the next full sync.
func (s *Service) recordKnownLevel(ctx context.Context, ev *Event, at time.Time) {
	var err error
	if ev.QuantityAfter != nil {
		err = s.store.RecordKnownLevel(ctx, ev.FulfillmentChannel, ev.SKU, ledger.KnownLevel{Quantity: *ev.QuantityAfter, Sequence: ev.Sequence, EventID: ev.ID, At: at})
	} else {
		err = s.store.ForgetKnownLevel(ctx, ev.FulfillmentChannel, ev.SKU)
	}
	if err != nil {
		s.cfg.Log.Info("the level of an accepted event was not recorded for kits", "event", ev.ID, "error", err.Error())
	}
}

// claimWork sets the channel SKU of a target's work, and the event's SKU beside it when they
// differ, which keys the claim apart from the event's other targets at the location.
func claimWork(w *ledger.Work, t *target, ev *Event) {
	w.SKU = t.sku
	if t.sku != ev.SKU {
		w.WarehouseSKU = ev.SKU
	}
}

// mappingInUse says whether a channel or location the event reaches has a catalog mapping:
// only then are levels recorded for kits, so a relay without mappings pays nothing for them.
func mappingInUse(targets []target) bool {
	for i := range targets {
		if v1alpha1.EffectiveMapping(targets[i].sync, targets[i].channel) != nil {
			return true
		}
	}
	return false
}
