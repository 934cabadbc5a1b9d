package shopifytest

import (
	"errors"
	"slices"
	"sync"

	"github.com/techoms/inventory-operator/internal/shopifyschema"
)

// InvalidDocument is a document the fake refused because the real API would have: it does not
// validate against the schema, or its variables do not fit.
type InvalidDocument struct {
	// Kind is "request" for a request's document, "bulk query" for bulkOperationRunQuery's.
	Kind   string
	Query  string
	Errors []string
}

// recorder keeps what a test should know went wrong on the client's side.
type recorder struct {
	mu          sync.Mutex
	invalid     []InvalidDocument
	unsupported []string
}

func (h *Handler) recordInvalid(kind, query string, err error) {
	doc := InvalidDocument{Kind: kind, Query: query}
	var verr *shopifyschema.ValidationError
	if errors.As(err, &verr) {
		for _, e := range verr.Errors {
			doc.Errors = append(doc.Errors, e.Message)
		}
	} else {
		doc.Errors = []string{err.Error()}
	}
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	h.rec.invalid = append(h.rec.invalid, doc)
}

func (h *Handler) recordUnsupported(what string) {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if !slices.Contains(h.rec.unsupported, what) {
		h.rec.unsupported = append(h.rec.unsupported, what)
	}
}

// InvalidDocuments lists the documents refused as invalid, oldest first.
func (h *Handler) InvalidDocuments() []InvalidDocument {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	return slices.Clone(h.rec.invalid)
}

// Unsupported lists fields, arguments and search queries a client used that exist on Shopify
// but that the fake does not serve; such requests got an error. A non-empty list means the
// fake needs extending, not that the client is wrong.
func (h *Handler) Unsupported() []string {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	return slices.Clone(h.rec.unsupported)
}

// Errors describes every invalid document and unsupported use, one line each.
func (h *Handler) Errors() []string {
	var out []string
	for _, d := range h.InvalidDocuments() {
		for _, e := range d.Errors {
			out = append(out, "invalid "+d.Kind+": "+e+"\n"+d.Query)
		}
	}
	for _, u := range h.Unsupported() {
		out = append(out, "not served by shopifytest: "+u)
	}
	return out
}

// TestingT is the part of testing.TB that AssertNoErrors uses.
type TestingT interface {
	Helper()
	Errorf(format string, args ...any)
}

// AssertNoErrors fails t for every invalid document and unsupported use the fake saw. Call it
// at the end of a test that talks to the fake (or from t.Cleanup).
func (h *Handler) AssertNoErrors(t TestingT) {
	t.Helper()
	for _, e := range h.Errors() {
		t.Errorf("shopifytest: %s", e)
	}
}
