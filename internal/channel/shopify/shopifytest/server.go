package shopifytest

import (
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/techoms/inventory-operator/internal/shopifyschema"
)

// APIVersion is the Admin API version the fake serves.
const APIVersion = "2026-10"

// GraphQLPath is the endpoint, relative to the shop's base URL.
const GraphQLPath = "/admin/api/" + APIVersion + "/graphql.json"

// DefaultToken is the access token the fake accepts when Options.Token is empty.
const DefaultToken = "shpat_shopifyfake"

// Options configure a fake shop.
type Options struct {
	// Plan sets the rate limit: Standard (default), Advanced, Plus or Enterprise.
	Plan string
	// Token is the access token requests must carry in X-Shopify-Access-Token; DefaultToken
	// when empty.
	Token string
	// Latency delays every GraphQL request (SetLatency changes it later).
	Latency time.Duration
	// Now is the clock of the rate limit bucket and timestamps; time.Now when nil.
	Now func() time.Time
	// SchemaPath is the introspection file; shopifyschema.DefaultPath() when empty.
	SchemaPath string
}

// Handler is the fake shop as an http.Handler, with its seed, fault and counter methods.
type Handler struct {
	opts     Options
	schema   *ast.Schema
	store    *store
	bucket   *bucket
	bulk     *bulkRunner
	requests atomic.Int64
	faults   faults
	stats    statsCounter
	rec      recorder
	// idempotency and adjustmentGroups are only touched by mutations, under the store's
	// write lock.
	idempotency      idempotency
	adjustmentGroups int
	// history is what each applied inventory mutation said about itself, in order.
	history []Adjustment
}

// NewHandler builds a fake shop. Close it to remove bulk operation result files.
func NewHandler(opts Options) (*Handler, error) {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SchemaPath == "" {
		opts.SchemaPath = shopifyschema.DefaultPath()
	}
	limits, err := limitsFor(opts.Plan)
	if err != nil {
		return nil, err
	}
	schema, err := shopifyschema.Load(opts.SchemaPath)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "shopifytest-bulk-")
	if err != nil {
		return nil, fmt.Errorf("create bulk operation directory: %w", err)
	}
	h := &Handler{
		opts:   opts,
		schema: schema,
		store:  newStore(),
		bucket: newBucket(limits, opts.Now),
		bulk:   &bulkRunner{dir: dir, signingKey: make([]byte, 32)},
	}
	if _, err := rand.Read(h.bulk.signingKey); err != nil {
		return nil, err
	}
	h.faults.latency = opts.Latency
	return h, nil
}

// Close waits for running bulk operations and removes their result files.
func (h *Handler) Close() {
	h.bulk.wg.Wait()
	_ = os.RemoveAll(h.bulk.dir)
}

func (h *Handler) now() time.Time { return h.opts.Now() }

// Token is the access token the fake accepts.
func (h *Handler) Token() string { return h.opts.Token }

// Server is a fake shop listening on a loopback port.
type Server struct {
	*Handler
	// URL is the shop's base URL, e.g. http://127.0.0.1:41234; the GraphQL endpoint is
	// URL + GraphQLPath.
	URL  string
	http *httptest.Server
}

// New starts a fake shop on 127.0.0.1. It panics when the schema cannot be loaded (the
// message says to run `make shopify-schema`), so a test that needs it fails; Start returns
// the error instead.
func New(opts Options) *Server {
	s, err := Start(opts)
	if err != nil {
		panic("shopifytest: " + err.Error())
	}
	return s
}

// Start starts a fake shop on 127.0.0.1.
func Start(opts Options) (*Server, error) {
	h, err := NewHandler(opts)
	if err != nil {
		return nil, err
	}
	ts := httptest.NewServer(h)
	return &Server{Handler: h, URL: ts.URL, http: ts}, nil
}

// Close stops the server and removes bulk operation files.
func (s *Server) Close() {
	s.http.Close()
	s.Handler.Close()
}
