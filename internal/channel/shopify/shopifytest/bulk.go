package shopifytest

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/techoms/inventory-operator/internal/shopifyschema"
)

// bulkPathPrefix is where result files are downloaded from; like Shopify's signed URLs they
// need no access token, only the signature in their query (bulksign.go).
const bulkPathPrefix = "/bulk-operations/"

// bulkPageSize is how many root nodes a bulk export reads per store lock, so writers are not
// held back for the whole export.
const bulkPageSize = 1000

// Shopify's limits on a bulk query, and on the bulk operations an app runs on one shop at
// once (since 2026-01: five queries and, apart, five mutations).
const (
	maxBulkConnections = 5
	maxBulkDepth       = 2
	maxBulkConcurrent  = 5
)

// The two kinds of bulk operation (BulkOperationType), whose concurrency Shopify counts apart.
const (
	BulkQuery    = "QUERY"
	BulkMutation = "MUTATION"
)

// bulkOperation is a bulk query and its state. Resolvers get copies (snapshot).
type bulkOperation struct {
	index int
	// kind is BulkQuery or BulkMutation.
	kind            string
	query           string
	status          string
	errorCode       string
	createdAt       time.Time
	completedAt     time.Time
	objectCount     uint64
	rootObjectCount uint64
	fileSize        int64
	url             string
}

func (op *bulkOperation) graphqlType() string { return "BulkOperation" }
func (op *bulkOperation) globalID() string    { return gid("BulkOperation", bulkOperationBase, op.index) }

// bulkRunner owns the bulk operations and their result files.
type bulkRunner struct {
	mu  sync.Mutex
	ops []*bulkOperation
	dir string
	wg  sync.WaitGroup
	// signingKey signs result URLs.
	signingKey []byte
	// occupied counts, by kind, the operations OccupyBulkOperations holds.
	occupied map[string]int
	// staged holds the files uploaded to staged upload targets, by stagedUploadPath.
	staged map[string]string
}

func (b *bulkRunner) snapshot(id string) *bulkOperation {
	i, ok := parseGID(id, "BulkOperation", bulkOperationBase)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !ok || i < 0 || i >= len(b.ops) {
		return nil
	}
	c := *b.ops[i]
	return &c
}

// latest is the most recent operation of the kind, or nil.
func (b *bulkRunner) latest(kind string) *bulkOperation {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.ops) - 1; i >= 0; i-- {
		if b.ops[i].kind == kind {
			c := *b.ops[i]
			return &c
		}
	}
	return nil
}

func (b *bulkRunner) update(op *bulkOperation, fn func(*bulkOperation)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn(op)
}

type bulkRunPayload struct {
	op         *bulkOperation
	userErrors []any
}

func init() {
	register("Mutation", map[string]resolver{"bulkOperationRunQuery": resolveBulkRunQuery})
	register("QueryRoot", map[string]resolver{
		"bulkOperation": func(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
			return x.nodeByID(args["id"], "BulkOperation"), nil
		},
		"currentBulkOperation": func(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
			kind, _ := args["type"].(string)
			if kind == "" {
				kind = BulkQuery
			}
			if op := x.h.bulk.latest(kind); op != nil {
				return op, nil
			}
			return nil, nil
		},
	})
	register("BulkOperationRunQueryPayload", map[string]resolver{
		"bulkOperation": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if op := p.(*bulkRunPayload).op; op != nil {
				return op, nil
			}
			return nil, nil
		},
		"userErrors": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if errs := p.(*bulkRunPayload).userErrors; errs != nil {
				return errs, nil
			}
			return []any{}, nil
		},
	})
	op := func(get func(*bulkOperation) any) resolver {
		return func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return get(p.(*bulkOperation)), nil
		}
	}
	optional := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	register("BulkOperation", map[string]resolver{
		"id":              op(func(o *bulkOperation) any { return o.globalID() }),
		"status":          op(func(o *bulkOperation) any { return o.status }),
		"errorCode":       op(func(o *bulkOperation) any { return optional(o.errorCode) }),
		"type":            op(func(o *bulkOperation) any { return o.kind }),
		"query":           op(func(o *bulkOperation) any { return o.query }),
		"url":             op(func(o *bulkOperation) any { return optional(o.url) }),
		"partialDataUrl":  op(func(*bulkOperation) any { return nil }),
		"objectCount":     op(func(o *bulkOperation) any { return unsignedInt64(o.objectCount) }),
		"rootObjectCount": op(func(o *bulkOperation) any { return unsignedInt64(o.rootObjectCount) }),
		"createdAt":       op(func(o *bulkOperation) any { return o.createdAt }),
		"completedAt": op(func(o *bulkOperation) any {
			if o.completedAt.IsZero() {
				return nil
			}
			return o.completedAt
		}),
		"fileSize": op(func(o *bulkOperation) any {
			if o.status != "COMPLETED" {
				return nil
			}
			return unsignedInt64(o.fileSize)
		}),
	})
}

func resolveBulkRunQuery(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
	query, _ := args["query"].(string)
	invalid := func(msg string) any {
		return &bulkRunPayload{userErrors: []any{userError{field: []string{"query"}, message: msg, code: "INVALID"}}}
	}
	doc, err := shopifyschema.Prepare(x.h.schema, query, "", nil)
	if err != nil {
		x.h.recordInvalid("bulk query", query, err)
		return invalid("Invalid bulk query: " + err.Error()), nil
	}
	if doc.Operation.Operation != ast.Query {
		return invalid("Bulk operations can only run queries."), nil
	}
	roots := flatten(doc.Operation.SelectionSet)
	if len(roots) != 1 || roots[0].Definition == nil || !isConnection(roots[0].Definition.Type.Name()) {
		return invalid("Bulk queries must contain exactly one top-level connection field."), nil
	}
	if n := countConnections(roots[0], 0); n > maxBulkConnections {
		return invalid(fmt.Sprintf("Bulk queries cannot contain more than %d connections.", maxBulkConnections)), nil
	}
	if d := connectionDepth(roots[0]); d > maxBulkDepth {
		return invalid(fmt.Sprintf("Bulk queries cannot contain connections with a nesting depth greater than %d.", maxBulkDepth)), nil
	}
	if x.h.bulk.running(BulkQuery) >= maxBulkConcurrent {
		return &bulkRunPayload{userErrors: []any{bulkLimitReached()}}, nil
	}
	return &bulkRunPayload{op: x.h.startBulk(query, doc, roots[0], x.host)}, nil
}

// bulkLimitReached is the user error of a bulk operation started while five of its kind run.
func bulkLimitReached() userError {
	return userError{message: "Bulk operations limit reached. Please try again later.", code: "LIMIT_REACHED"}
}

// running counts the operations of the kind not finished yet, those OccupyBulkOperations
// holds included.
func (b *bulkRunner) running(kind string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.occupied[kind]
	for _, op := range b.ops {
		if op.kind == kind && (op.status == "CREATED" || op.status == "RUNNING") {
			n++
		}
	}
	return n
}

// OccupyBulkOperations counts n more bulk operations of the kind (BulkQuery or BulkMutation)
// as running on the shop, as other syncs of the same app would, until release is called:
// while five of a kind run, starting another of that kind answers the user error
// LIMIT_REACHED; the other kind is not held back.
func (h *Handler) OccupyBulkOperations(kind string, n int) (release func()) {
	if kind != BulkQuery && kind != BulkMutation {
		panic("shopifytest: unknown bulk operation type " + kind)
	}
	b := h.bulk
	b.mu.Lock()
	if b.occupied == nil {
		b.occupied = map[string]int{}
	}
	b.occupied[kind] += n
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.occupied[kind] -= n
			b.mu.Unlock()
		})
	}
}

func countConnections(f *ast.Field, n int) int {
	if f.Definition != nil && isConnection(f.Definition.Type.Name()) {
		n++
	}
	for _, c := range flatten(f.SelectionSet) {
		n = countConnections(c, n)
	}
	return n
}

// connectionDepth is the most connections nested in one another under and including f.
func connectionDepth(f *ast.Field) int {
	most := 0
	for _, c := range flatten(f.SelectionSet) {
		most = max(most, connectionDepth(c))
	}
	if f.Definition != nil && isConnection(f.Definition.Type.Name()) {
		most++
	}
	return most
}

func (h *Handler) startBulk(query string, doc *shopifyschema.Document, root *ast.Field, host string) *bulkOperation {
	b := h.bulk
	b.mu.Lock()
	op := &bulkOperation{index: len(b.ops), kind: BulkQuery, query: query, status: "CREATED", createdAt: h.now()}
	b.ops = append(b.ops, op)
	snapshot := *op
	b.wg.Add(1)
	b.mu.Unlock()
	go h.runBulk(op, doc, root, host)
	return &snapshot
}

// runBulk writes the JSONL file the way Shopify does: one line per node of the root
// connection, each followed by the nodes of its nested connections on lines of their own,
// which carry the parent's id in __parentId.
func (h *Handler) runBulk(op *bulkOperation, doc *shopifyschema.Document, root *ast.Field, host string) {
	defer h.bulk.wg.Done()
	h.bulk.update(op, func(o *bulkOperation) {
		if o.status == "CREATED" {
			o.status = "RUNNING"
		}
	})
	fail := func() {
		h.bulk.update(op, func(o *bulkOperation) {
			if o.status == "RUNNING" {
				o.status, o.errorCode, o.completedAt = "FAILED", "INTERNAL_SERVER_ERROR", h.now()
			}
		})
	}
	name := strconv.Itoa(op.index+1) + ".jsonl"
	f, err := os.Create(filepath.Join(h.bulk.dir, name))
	if err != nil {
		fail()
		return
	}
	defer f.Close()
	exp := &bulkExport{w: bufio.NewWriterSize(f, 1<<16), after: -1}
	x := &execution{h: h, doc: doc.Query, vars: doc.Variables, bulk: exp}
	connType := h.schema.Types[root.Definition.Type.Name()]
	nodeType := connType.Fields.ForName("nodes").Type.Name()
	sels := nodeSelections(root.SelectionSet)
	r := lookupResolver(h.schema.Query.Name, root.Name)
	if r == nil {
		h.recordUnsupported("bulk root " + root.Name)
		fail()
		return
	}
	for {
		h.store.mu.RLock()
		exp.atRoot = true
		v, err := r(x, nil, root, root.ArgumentMap(x.vars))
		exp.atRoot = false
		if err != nil || len(x.errors) > 0 {
			h.store.mu.RUnlock()
			fail()
			return
		}
		page := v.(*connection)
		for _, n := range page.nodes {
			exp.writeLine(x, nodeType, sels, n, "")
			exp.rootObjects++
		}
		h.store.mu.RUnlock()
		if len(x.errors) > 0 || exp.err != nil {
			fail()
			return
		}
		if !page.hasNext || len(page.nodes) == 0 {
			break
		}
		exp.after = page.last
	}
	if err := exp.w.Flush(); err != nil {
		fail()
		return
	}
	info, err := f.Stat()
	if err != nil {
		fail()
		return
	}
	h.bulk.update(op, func(o *bulkOperation) {
		if o.status != "RUNNING" {
			return // canceled meanwhile
		}
		o.status, o.completedAt = "COMPLETED", h.now()
		o.objectCount, o.rootObjectCount, o.fileSize = exp.objects, exp.rootObjects, info.Size()
		if exp.objects > 0 {
			// Shopify gives no URL when the query matched nothing.
			o.url = "http://" + host + bulkPathPrefix + name + "?" + h.bulk.signedQuery(name)
		}
	})
}

// bulkExport is the state of an execution writing JSONL.
type bulkExport struct {
	w       *bufio.Writer
	err     error
	buf     jsonBuf
	after   int
	atRoot  bool
	pending []deferredConnection
	objects uint64
	// rootObjects counts lines of the root connection.
	rootObjects uint64
}

type deferredConnection struct {
	typeName string
	parent   any
	field    collectedField
}

// page is the page a connection resolver serves in an export: the next chunk of the root
// connection, or the whole of a nested one.
func (e *bulkExport) page() page {
	if e.atRoot {
		return page{after: e.after, limit: bulkPageSize}
	}
	return page{after: -1, limit: int(^uint(0) >> 1)}
}

func (e *bulkExport) deferConnection(_ *execution, typeName string, parent any, cf collectedField) {
	e.pending = append(e.pending, deferredConnection{typeName: typeName, parent: parent, field: cf})
}

// writeLine writes obj as one line, then the nodes of its nested connections.
func (e *bulkExport) writeLine(x *execution, typeName string, sels ast.SelectionSet, obj any, parentID string) {
	e.pending = nil
	e.buf.b = e.buf.b[:0]
	x.writeObject(&e.buf, typeName, sels, obj, nil, parentID)
	e.buf.byte('\n')
	if _, err := e.w.Write(e.buf.b); err != nil && e.err == nil {
		e.err = err
	}
	e.objects++
	pending := e.pending
	e.pending = nil
	parent, _ := obj.(typed)
	for _, d := range pending {
		f := d.field.field
		r := lookupResolver(d.typeName, f.Name)
		if r == nil || parent == nil {
			x.h.recordUnsupported("bulk nested connection " + d.typeName + "." + f.Name)
			x.addError(nil, f, errorf("", "shopifytest does not serve %s.%s in bulk queries", d.typeName, f.Name))
			continue
		}
		v, err := r(x, d.parent, f, f.ArgumentMap(x.vars))
		if err != nil {
			x.addError(nil, f, err)
			continue
		}
		conn, _ := v.(*connection)
		if conn == nil {
			continue
		}
		childType := x.h.schema.Types[f.Definition.Type.Name()].Fields.ForName("nodes").Type.Name()
		for _, n := range conn.nodes {
			e.writeLine(x, childType, nodeSelections(d.field.sels), n, parent.globalID())
		}
	}
}

// nodeSelections merges what a connection selects on its nodes, through nodes or edges.node.
func nodeSelections(sels ast.SelectionSet) ast.SelectionSet {
	var out ast.SelectionSet
	for _, f := range flatten(sels) {
		switch f.Name {
		case "nodes":
			out = append(out, f.SelectionSet...)
		case "edges":
			for _, e := range flatten(f.SelectionSet) {
				if e.Name == "node" {
					out = append(out, e.SelectionSet...)
				}
			}
		}
	}
	return out
}

// serveBulkFile serves a result file.
func (h *Handler) serveBulkFile(w http.ResponseWriter, r *http.Request) {
	if h.takeCutDownload() {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	name := strings.TrimPrefix(r.URL.Path, bulkPathPrefix)
	if name == "" || strings.ContainsAny(name, "/\\") || !strings.HasSuffix(name, ".jsonl") {
		http.NotFound(w, r)
		return
	}
	if !h.bulk.signedFor(name, r.URL.Query()) {
		http.Error(w, "SignatureDoesNotMatch", http.StatusForbidden)
		return
	}
	f, err := os.Open(filepath.Join(h.bulk.dir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/jsonl")
	http.ServeContent(w, r, name, info.ModTime(), f)
}
