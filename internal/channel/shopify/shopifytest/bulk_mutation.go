package shopifytest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Bulk mutations as Shopify documents them since 2026-01: any mutation can run in bulk, its
// variables one JSONL line each in a file of up to 100 MB uploaded through stagedUploadsCreate
// (resource BULK_MUTATION_VARIABLES), and five may run at once per shop, counted apart from
// bulk queries. How fast Shopify applies the lines, how @idempotent and changeFromQuantity
// work per line, and how a line's errors come back are not documented, so the fake applies no
// line: an operation it starts stays RUNNING, holding its place in the limit, until
// bulkOperationCancel cancels it.

// stagedUploadPathPrefix is where the fake's staged upload targets receive files.
const stagedUploadPathPrefix = "/staged-uploads/"

// maxStagedUploadBytes is the largest JSONL file of variables a bulk mutation takes.
const maxStagedUploadBytes = 100 << 20

type stagedTarget struct {
	url, key, mimeType string
}

type stagedUploadsPayload struct {
	targets    []any
	userErrors []any
}

type bulkCancelPayload struct {
	op         *bulkOperation
	userErrors []any
}

func init() {
	register("Mutation", map[string]resolver{
		"stagedUploadsCreate":      resolveStagedUploadsCreate,
		"bulkOperationRunMutation": resolveBulkRunMutation,
		"bulkOperationCancel":      resolveBulkCancel,
	})
	register("StagedUploadsCreatePayload", map[string]resolver{
		"stagedTargets": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(*stagedUploadsPayload).targets, nil
		},
		"userErrors": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return emptyIfNil(p.(*stagedUploadsPayload).userErrors), nil
		},
	})
	register("StagedMediaUploadTarget", map[string]resolver{
		"url": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(stagedTarget).url, nil
		},
		"resourceUrl": func(*execution, any, *ast.Field, map[string]any) (any, error) { return nil, nil },
		"parameters": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			t := p.(stagedTarget)
			return []any{[2]string{"key", t.key}, [2]string{"Content-Type", t.mimeType}}, nil
		},
	})
	register("StagedUploadParameter", map[string]resolver{
		"name":  func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) { return p.([2]string)[0], nil },
		"value": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) { return p.([2]string)[1], nil },
	})
	register("BulkOperationRunMutationPayload", map[string]resolver{
		"bulkOperation": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if op := p.(*bulkRunPayload).op; op != nil {
				return op, nil
			}
			return nil, nil
		},
		"userErrors": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return emptyIfNil(p.(*bulkRunPayload).userErrors), nil
		},
	})
	register("BulkOperationCancelPayload", map[string]resolver{
		"bulkOperation": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			if op := p.(*bulkCancelPayload).op; op != nil {
				return op, nil
			}
			return nil, nil
		},
		"userErrors": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return emptyIfNil(p.(*bulkCancelPayload).userErrors), nil
		},
	})
}

func emptyIfNil(list []any) []any {
	if list == nil {
		return []any{}
	}
	return list
}

// resolveStagedUploadsCreate serves the BULK_MUTATION_VARIABLES resource only: a target on
// the fake that takes a multipart POST, whose key parameter is the stagedUploadPath.
func resolveStagedUploadsCreate(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
	inputs, _ := args["input"].([]any)
	payload := &stagedUploadsPayload{targets: []any{}}
	for i, in := range inputs {
		input, _ := in.(map[string]any)
		if r, _ := input["resource"].(string); r != "BULK_MUTATION_VARIABLES" {
			x.h.recordUnsupported("staged upload resource " + r)
			return nil, errorf("", "shopifytest serves staged uploads of BULK_MUTATION_VARIABLES only, not %s", r)
		}
		if m, _ := input["httpMethod"].(string); m == "PUT" {
			x.h.recordUnsupported("staged upload with PUT")
			return nil, errorf("", "shopifytest serves staged uploads by POST only")
		}
		name, _ := input["filename"].(string)
		mime, _ := input["mimeType"].(string)
		key := fmt.Sprintf("tmp/bulk/%d-%d/%s", x.h.requests.Load(), i, filepath.Base(name))
		payload.targets = append(payload.targets, stagedTarget{url: "http://" + x.host + stagedUploadPathPrefix, key: key, mimeType: mime})
	}
	return payload, nil
}

// serveStagedUpload stores a file POSTed to a staged upload target, as multipart form data
// with the target's parameters and the file last. A file over 100 MB is refused.
func (h *Handler) serveStagedUpload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxStagedUploadBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, "expected multipart form data", http.StatusBadRequest)
		return
	}
	var key string
	for {
		part, err := mr.NextPart()
		if err != nil {
			http.Error(w, "no file part", http.StatusBadRequest)
			return
		}
		if part.FormName() == "key" {
			b, _ := io.ReadAll(io.LimitReader(part, 1024))
			key = string(b)
			continue
		}
		if part.FormName() != "file" {
			continue
		}
		if key == "" {
			http.Error(w, "the key parameter comes before the file", http.StatusBadRequest)
			return
		}
		if err := h.bulk.stage(key, part); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) || errors.Is(err, errStagedTooLarge) {
				http.Error(w, "EntityTooLarge", http.StatusBadRequest)
				return
			}
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
}

var errStagedTooLarge = errors.New("staged file over 100 MB")

// stage writes an uploaded file into the bulk directory and remembers it under key.
func (b *bulkRunner) stage(key string, r io.Reader) error {
	b.mu.Lock()
	name := "staged-" + strconv.Itoa(len(b.staged)+1) + ".jsonl"
	if b.staged == nil {
		b.staged = map[string]string{}
	}
	b.staged[key] = "" // reserved until written
	b.mu.Unlock()
	f, err := os.Create(filepath.Join(b.dir, name))
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, maxStagedUploadBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxStagedUploadBytes {
		err = errStagedTooLarge
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		delete(b.staged, key)
		return err
	}
	b.staged[key] = name
	return nil
}

func (b *bulkRunner) stagedFile(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.staged[key] != ""
}

// resolveBulkRunMutation checks the mutation against the schema and the staged file, and
// starts the operation while fewer than five bulk mutations run; bulk queries do not count.
func resolveBulkRunMutation(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
	mutation, _ := args["mutation"].(string)
	path, _ := args["stagedUploadPath"].(string)
	refuse := func(code, msg string, field ...string) any {
		return &bulkRunPayload{userErrors: []any{userError{field: field, message: msg, code: code}}}
	}
	doc, errs := gqlparser.LoadQueryWithRules(x.h.schema, mutation, nil)
	if len(errs) > 0 || len(doc.Operations) != 1 || doc.Operations[0].Operation != ast.Mutation {
		if len(errs) > 0 {
			x.h.recordInvalid("bulk mutation", mutation, errs)
		}
		return refuse("INVALID_MUTATION", "The operation did not run because the mutation is invalid. Check your mutation syntax and try again.", "mutation"), nil
	}
	if !x.h.bulk.stagedFile(path) {
		return refuse("NO_SUCH_FILE", "The JSONL file could not be found. Try uploading the file again.", "stagedUploadPath"), nil
	}
	if x.h.bulk.running(BulkMutation) >= maxBulkConcurrent {
		return &bulkRunPayload{userErrors: []any{bulkLimitReached()}}, nil
	}
	b := x.h.bulk
	b.mu.Lock()
	defer b.mu.Unlock()
	op := &bulkOperation{index: len(b.ops), kind: BulkMutation, query: mutation, status: "RUNNING", createdAt: x.h.now()}
	b.ops = append(b.ops, op)
	snapshot := *op
	return &bulkRunPayload{op: &snapshot}, nil
}

// resolveBulkCancel cancels an operation still running. Shopify may take a moment to go from
// CANCELING to CANCELED; the fake takes none.
func resolveBulkCancel(x *execution, _ any, _ *ast.Field, args map[string]any) (any, error) {
	id, _ := args["id"].(string)
	i, ok := parseGID(id, "BulkOperation", bulkOperationBase)
	b := x.h.bulk
	b.mu.Lock()
	defer b.mu.Unlock()
	if !ok || i < 0 || i >= len(b.ops) {
		// The fake's own text: Shopify documents none.
		return &bulkCancelPayload{userErrors: []any{userError{field: []string{"id"}, message: "Bulk operation does not exist"}}}, nil
	}
	// What Shopify answers for an operation that already ended is not documented: the fake
	// leaves it as it is.
	op := b.ops[i]
	if op.status == "CREATED" || op.status == "RUNNING" {
		op.status, op.completedAt = "CANCELED", x.h.now()
	}
	snapshot := *op
	return &bulkCancelPayload{op: &snapshot}, nil
}
