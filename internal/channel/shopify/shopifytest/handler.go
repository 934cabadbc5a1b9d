package shopifytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/techoms/inventory-operator/internal/shopifyschema"
)

// maxBodyBytes bounds a request body; Shopify refuses much smaller documents than this.
const maxBodyBytes = 16 << 20

// ServeHTTP serves the GraphQL endpoint, bulk operation result files and staged uploads.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == GraphQLPath && r.Method == http.MethodPost:
		h.serveGraphQL(w, r)
	case r.URL.Path == GraphQLPath:
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	case strings.HasPrefix(r.URL.Path, bulkPathPrefix) && r.Method == http.MethodGet:
		h.serveBulkFile(w, r)
	case r.URL.Path == stagedUploadPathPrefix && r.Method == http.MethodPost:
		h.serveStagedUpload(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"errors": "Not Found"})
	}
}

type graphqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

// costExtension is extensions.cost of every response.
type costExtension struct {
	RequestedQueryCost int            `json:"requestedQueryCost"`
	ActualQueryCost    *int           `json:"actualQueryCost"`
	ThrottleStatus     throttleStatus `json:"throttleStatus"`
}

func (h *Handler) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	n := h.requests.Add(1)
	h.count(func(s *Stats) { s.Requests++ })
	h.runHooks(n)
	if d := h.latency(); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if status, fail := h.takeFailure(); fail {
		h.writeInternalError(w, status)
		return
	}
	if r.Header.Get("X-Shopify-Access-Token") != h.opts.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)",
		})
		return
	}

	var req graphqlRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil || strings.TrimSpace(req.Query) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]string{"query": "Required parameter missing or invalid"}})
		return
	}
	doc, err := shopifyschema.Prepare(h.schema, req.Query, req.OperationName, req.Variables)
	if err != nil {
		h.recordInvalid("request", req.Query, err)
		zero := 0
		h.respond(w, nil, validationErrors(err), costExtension{ActualQueryCost: &zero, ThrottleStatus: h.bucket.status()})
		return
	}
	if rangeErr := intRangeError(h.schema, doc.Operation, doc.Variables); rangeErr != nil {
		zero := 0
		h.respond(w, nil, []gqlError{*rangeErr}, costExtension{ActualQueryCost: &zero, ThrottleStatus: h.bucket.status()})
		return
	}
	h.count(func(s *Stats) {
		if s.Calls == nil {
			s.Calls = map[string]int{}
		}
		for _, f := range flatten(doc.Operation.SelectionSet) {
			s.Calls[f.Name]++
		}
	})

	requested := requestedCost(h.schema, doc.Operation, doc.Variables)
	if requested > maxQueryCost {
		h.respond(w, nil, []gqlError{{
			Message: fmt.Sprintf("Query cost is %d, which exceeds the single query max cost limit (%d).", requested, maxQueryCost),
			Extensions: map[string]any{
				"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": maxQueryCost,
			},
		}}, costExtension{RequestedQueryCost: requested, ThrottleStatus: h.bucket.status()})
		return
	}
	if !h.bucket.take(requested) {
		h.count(func(s *Stats) { s.Throttled++ })
		h.respond(w, nil, []gqlError{{
			Message:    "Throttled",
			Extensions: map[string]any{"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
		}}, costExtension{RequestedQueryCost: requested, ThrottleStatus: h.bucket.status()})
		return
	}

	x := &execution{h: h, doc: doc.Query, vars: doc.Variables, host: r.Host}
	data := h.execute(x, doc.Operation)
	if x.failStatus != 0 {
		h.writeInternalError(w, x.failStatus)
		return
	}
	h.bucket.refund(requested - x.cost)
	h.count(func(s *Stats) {
		s.PointsSpent += x.cost
		s.ItemsWritten += x.itemsWritten
	})
	actual := x.cost
	h.respond(w, data, x.errors, costExtension{RequestedQueryCost: requested, ActualQueryCost: &actual, ThrottleStatus: h.bucket.status()})
}

// execute runs the operation under the store lock and returns the data object.
func (h *Handler) execute(x *execution, op *ast.OperationDefinition) []byte {
	root := h.schema.Query
	if op.Operation == ast.Mutation {
		root = h.schema.Mutation
		h.store.mu.Lock()
		defer h.store.mu.Unlock()
		// A mutation costs a flat 10, whatever its payload selects.
		x.cost = mutationCost * len(flatten(op.SelectionSet))
		x.frozen = true
	} else {
		h.store.mu.RLock()
		defer h.store.mu.RUnlock()
	}
	var w jsonBuf
	x.writeObject(&w, root.Name, op.SelectionSet, nil, nil, "")
	return w.b
}

// respond writes a GraphQL response: HTTP 200 with data, errors and extensions.cost.
func (h *Handler) respond(w http.ResponseWriter, data []byte, errs []gqlError, cost costExtension) {
	var out jsonBuf
	out.byte('{')
	if data != nil {
		out.raw(`"data":`)
		out.b = append(out.b, data...)
		out.byte(',')
	}
	if len(errs) > 0 {
		encoded, _ := json.Marshal(errs)
		out.raw(`"errors":`)
		out.b = append(out.b, encoded...)
		out.byte(',')
	}
	encoded, _ := json.Marshal(map[string]any{"cost": cost})
	out.raw(`"extensions":`)
	out.b = append(out.b, encoded...)
	out.byte('}')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out.b)
}

func validationErrors(err error) []gqlError {
	var verr *shopifyschema.ValidationError
	if !errors.As(err, &verr) {
		return []gqlError{{Message: err.Error()}}
	}
	out := make([]gqlError, 0, len(verr.Errors))
	for _, e := range verr.Errors {
		g := gqlError{Message: e.Message}
		for _, l := range e.Locations {
			g.Locations = append(g.Locations, gqlLocation{Line: l.Line, Column: l.Column})
		}
		for _, p := range e.Path {
			g.Path = append(g.Path, p)
		}
		out = append(out, g)
	}
	return out
}

// writeInternalError answers an injected failure as Shopify answers its own: the status
// (a 5xx) with an INTERNAL_SERVER_ERROR body.
func (h *Handler) writeInternalError(w http.ResponseWriter, status int) {
	h.count(func(s *Stats) { s.InjectedFailures++ })
	writeJSON(w, status, map[string]any{"errors": []gqlError{{
		Message:    "Internal error. Looks like something went wrong on our end.",
		Extensions: map[string]any{"code": "INTERNAL_SERVER_ERROR"},
	}}})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
