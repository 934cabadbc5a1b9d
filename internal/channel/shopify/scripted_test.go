package shopify

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/shopifyschema"
	"github.com/vektah/gqlparser/v2/ast"
)

const testToken = "shpat_secret_token_value"

func loadSchema(t testing.TB) *ast.Schema {
	t.Helper()
	schema, err := shopifyschema.Load(shopifyschema.DefaultPath())
	if err != nil {
		t.Fatalf("Shopify admin schema (run `make shopify-schema`): %v", err)
	}
	return schema
}

// requireValid fails the test unless query with vars (as they go on the wire) is valid
// against the 2026-10 schema.
func requireValid(t testing.TB, schema *ast.Schema, query, operationName string, vars any) {
	t.Helper()
	if _, err := shopifyschema.Prepare(schema, query, operationName, wireVariables(t, vars)); err != nil {
		t.Fatalf("%s: %v", operationName, err)
	}
}

// wireVariables is vars as a server decodes them.
func wireVariables(t testing.TB, vars any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(vars)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// received is one request a scriptedShopify got.
type received struct {
	Operation string
	Query     string
	Variables map[string]any
	Token     string
	Path      string
}

// reply is what scriptedShopify answers: an HTTP status other than 200, or a GraphQL body.
type reply struct {
	status     int
	retryAfter string
	body       any
}

// scriptedShopify is an HTTP server that checks every request against the schema and
// answers from a script, for the transport behaviours (retries, throttling, odd responses)
// that are easiest to provoke exactly.
type scriptedShopify struct {
	t      *testing.T
	schema *ast.Schema
	srv    *httptest.Server
	answer func(r received) reply

	mu    sync.Mutex
	calls []received
}

func newScriptedShopify(t *testing.T, answer func(r received) reply) *scriptedShopify {
	s := &scriptedShopify{t: t, schema: loadSchema(t), answer: answer}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scriptedShopify) serve(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query         string          `json:"query"`
		OperationName string          `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.t.Errorf("request body: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	vars := map[string]any{}
	if len(req.Variables) > 0 {
		dec := json.NewDecoder(bytes.NewReader(req.Variables))
		dec.UseNumber()
		if err := dec.Decode(&vars); err != nil {
			s.t.Errorf("variables: %v", err)
		}
	}
	if _, err := shopifyschema.Prepare(s.schema, req.Query, req.OperationName, vars); err != nil {
		s.t.Errorf("%s is not valid against the schema: %v", req.OperationName, err)
	}
	call := received{Operation: req.OperationName, Query: req.Query, Variables: vars,
		Token: r.Header.Get("X-Shopify-Access-Token"), Path: r.URL.Path}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	rep := s.answer(call)
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	if rep.status != 0 && rep.status != http.StatusOK {
		w.WriteHeader(rep.status)
		_, _ = w.Write([]byte("upstream trouble"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(rep.body)
}

func (s *scriptedShopify) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.calls...)
}

// connector returns a Standard-plan Connector for the server with a fake clock.
func (s *scriptedShopify) connector(clock *fakeClock, tune func(*Config)) *Connector {
	s.t.Helper()
	cfg := Config{
		BaseURL: s.srv.URL, Token: testToken, LocationID: "gid://shopify/Location/7",
		Plan: v1alpha1.PlanStandard, Now: clock.Now, Sleep: clock.Sleep,
	}
	if tune != nil {
		tune(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// answered builds a GraphQL response with data and the cost extension a Standard store
// reports after charging cost from a bucket left at available.
func answered(data any, cost, available float64) reply {
	return reply{body: map[string]any{
		"data": data,
		"extensions": map[string]any{"cost": map[string]any{
			"requestedQueryCost": cost, "actualQueryCost": cost,
			"throttleStatus": map[string]any{"maximumAvailable": 2000.0, "currentlyAvailable": available, "restoreRate": 100.0},
		}},
	}}
}

func throttledReply(requested, available float64) reply {
	return reply{body: map[string]any{
		"errors": []any{map[string]any{"message": "Throttled", "extensions": map[string]any{"code": "THROTTLED"}}},
		"extensions": map[string]any{"cost": map[string]any{
			"requestedQueryCost": requested,
			"throttleStatus":     map[string]any{"maximumAvailable": 2000.0, "currentlyAvailable": available, "restoreRate": 100.0},
		}},
	}}
}

func userErrorsData(field string, errs ...map[string]any) map[string]any {
	list := make([]any, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return map[string]any{field: map[string]any{"userErrors": list}}
}

func containsToken(s string) bool { return strings.Contains(s, testToken) }
