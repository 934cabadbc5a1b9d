package shopify

import "sync"

// Query costs as Shopify computes them: an object costs 1, a connection 2 plus its page size
// times the cost of one node, a mutation 10; no single query may request more than 1,000.
const (
	maxQueryCost    = 1000
	connectionCost  = 2
	mutationCost    = 10
	variantNodeCost = 4 // ProductVariant, InventoryItem, InventoryLevel, InventoryQuantity
)

// maxPageSize is the largest productVariants page Shopify serves, lowered so that a page of
// variants with their inventory level stays within maxQueryCost.
const maxPageSize = min(250, (maxQueryCost-connectionCost)/variantNodeCost)

// costEstimates remembers the cost the server last requested for each operation, which is
// what the bucket must hold before the operation is sent again.
type costEstimates struct {
	mu   sync.Mutex
	cost map[string]float64
}

func (e *costEstimates) expect(op operation) float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.cost[op.name]; ok {
		return c
	}
	return op.expectedCost
}

func (e *costEstimates) learn(op operation, requested float64) {
	if requested <= 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cost == nil {
		e.cost = map[string]float64{}
	}
	e.cost[op.name] = requested
}
