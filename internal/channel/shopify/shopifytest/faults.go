package shopifytest

import (
	"sync"
	"time"
)

// faults are failures and interference a test asks for through Go methods.
type faults struct {
	mu         sync.Mutex
	failLeft   int
	failStatus int
	latency    time.Duration
	stale      map[int]bool
	hooks      map[int64][]func()
	// cutDownloads is how many more result file downloads are cut off.
	cutDownloads int
	// keyedLeft and keyedStatus are FailKeyedRequests' failures still due.
	keyedLeft, keyedStatus int
	// omitFields is OmitUserErrorFields' setting.
	omitFields bool
	// transient is AnswerTransient's setting.
	transient transientFault
}

// FailKeyedRequests makes the next n mutations that carry an idempotency key fail with HTTP
// status after the shop recorded the key, applying nothing, as a request that fails inside
// Shopify does. Every later request with such a key gets the user error
// IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: the caller has to retry with a new key.
func (h *Handler) FailKeyedRequests(n int, status int) {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	h.faults.keyedLeft, h.faults.keyedStatus = n, status
}

func (h *Handler) takeKeyedFailure() (int, bool) {
	return h.faults.take(&h.faults.keyedLeft, &h.faults.keyedStatus)
}

// take uses up one of the failures *left counts, if one is due, and returns its status.
func (f *faults) take(left, status *int) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *left <= 0 {
		return 0, false
	}
	*left--
	return *status, true
}

// OmitUserErrorFields makes user errors come with field null, which the schema allows
// (UserError.field is nullable): a client cannot count on an error naming the entry it is
// about.
func (h *Handler) OmitUserErrorFields(omit bool) {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	h.faults.omitFields = omit
}

func (h *Handler) omitUserErrorFields() bool {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	return h.faults.omitFields
}

// FailNext makes the next n GraphQL requests fail with HTTP status (a 5xx, as Shopify sends
// in an outage) before anything is read or applied.
func (h *Handler) FailNext(n int, status int) {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	h.faults.failLeft, h.faults.failStatus = n, status
}

// CutBulkDownloads makes the next n downloads of a bulk operation's result file fail as a
// broken network does: the connection is closed before any answer.
func (h *Handler) CutBulkDownloads(n int) {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	h.faults.cutDownloads = n
}

func (h *Handler) takeCutDownload() bool {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	if h.faults.cutDownloads <= 0 {
		return false
	}
	h.faults.cutDownloads--
	return true
}

// SetLatency delays every GraphQL request by d from now on.
func (h *Handler) SetLatency(d time.Duration) {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	h.faults.latency = d
}

// MakeStale makes the next compare-and-swap on the inventory item see a different quantity:
// just before that check one unit is sold at the location it targets, so a changeFromQuantity
// read earlier no longer matches.
func (h *Handler) MakeStale(inventoryItemGID string) {
	h.store.mu.RLock()
	item := h.store.mustItem(inventoryItemGID)
	h.store.mu.RUnlock()
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	if h.faults.stale == nil {
		h.faults.stale = map[int]bool{}
	}
	h.faults.stale[item] = true
}

// OnRequest calls fn before the n-th GraphQL request (counting from 1) is handled, for
// example to add a variant in the middle of a run. fn may call the seed methods.
func (h *Handler) OnRequest(n int, fn func()) {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	if h.faults.hooks == nil {
		h.faults.hooks = map[int64][]func(){}
	}
	h.faults.hooks[int64(n)] = append(h.faults.hooks[int64(n)], fn)
}

func (h *Handler) runHooks(n int64) {
	h.faults.mu.Lock()
	hooks := h.faults.hooks[n]
	delete(h.faults.hooks, n)
	h.faults.mu.Unlock()
	for _, fn := range hooks {
		fn()
	}
}

func (h *Handler) latency() time.Duration {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	return h.faults.latency
}

// takeFailure returns the status of an injected failure for this request, if one is due.
func (h *Handler) takeFailure() (int, bool) {
	return h.faults.take(&h.faults.failLeft, &h.faults.failStatus)
}

// takeStale reports whether item was made stale, and clears it.
func (h *Handler) takeStale(item int) bool {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	if !h.faults.stale[item] {
		return false
	}
	delete(h.faults.stale, item)
	return true
}
