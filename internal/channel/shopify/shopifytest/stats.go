package shopifytest

import (
	"maps"
	"sync"
)

// Stats counts what the fake served, for tests and benchmarks.
type Stats struct {
	// Requests is the number of GraphQL requests received, including failed ones.
	Requests int
	// Calls counts validated requests by root field (operation), e.g. "productVariants",
	// "inventorySetQuantities".
	Calls map[string]int
	// Throttled counts requests refused because the bucket was short.
	Throttled int
	// InjectedFailures counts requests failed by FailNext.
	InjectedFailures int
	// IdempotentReplays counts mutations answered from an earlier call with the same key.
	IdempotentReplays int
	// PointsSpent is the sum of actual query costs.
	PointsSpent int
	// ItemsWritten counts inventory quantities changed by mutations.
	ItemsWritten int
}

type statsCounter struct {
	mu sync.Mutex
	s  Stats
}

// Stats returns a copy of the counters.
func (h *Handler) Stats() Stats {
	h.stats.mu.Lock()
	defer h.stats.mu.Unlock()
	s := h.stats.s
	s.Calls = maps.Clone(s.Calls)
	if s.Calls == nil {
		s.Calls = map[string]int{}
	}
	return s
}

func (h *Handler) count(update func(*Stats)) {
	h.stats.mu.Lock()
	defer h.stats.mu.Unlock()
	update(&h.stats.s)
}

func (h *Handler) countReplay() { h.count(func(s *Stats) { s.IdempotentReplays++ }) }
