// Package shopifyschema loads the Shopify Admin GraphQL schema from its introspection result
// and validates documents and variables against it.
package shopifyschema

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// EnvPath names the environment variable that points at the schema file.
const EnvPath = "SHOPIFY_ADMIN_SCHEMA"

// repoRelativePath is where `make shopify-schema` writes the schema, from the repository root.
const repoRelativePath = "bin/shopify/admin_2026-10.json.gz"

// DefaultPath is the schema file: $SHOPIFY_ADMIN_SCHEMA, else bin/shopify/admin_2026-10.json.gz
// under the repository root found by walking up from the working directory to go.mod. It
// returns the relative path when no go.mod is found, so the error from Load names it.
func DefaultPath() string {
	if p := os.Getenv(EnvPath); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		return repoRelativePath
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, repoRelativePath)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return repoRelativePath
		}
		dir = parent
	}
}

type cached struct {
	once   sync.Once
	schema *ast.Schema
	err    error
}

// cache holds one entry per path: building the schema takes a noticeable fraction of a second
// and every test server would otherwise pay it.
var cache sync.Map // path -> *cached

// Load reads a gzipped (or plain) introspection JSON file and builds the schema. Results are
// cached per path for the life of the process.
func Load(path string) (*ast.Schema, error) {
	entry, _ := cache.LoadOrStore(path, &cached{})
	c := entry.(*cached)
	c.once.Do(func() { c.schema, c.err = load(path) })
	return c.schema, c.err
}

func load(path string) (*ast.Schema, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("shopify admin schema %s not found: run `make shopify-schema`", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open shopify admin schema: %w", err)
	}
	defer f.Close()

	var r interface{ Read([]byte) (int, error) } = f
	if filepath.Ext(path) == ".gz" {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("read shopify admin schema %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	var in introspection
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return nil, fmt.Errorf("decode shopify admin schema %s: %w", path, err)
	}
	return fromIntrospection(&in.Data.Schema)
}

// fromIntrospection builds the schema from a decoded introspection result.
func fromIntrospection(s *introspectionSchema) (*ast.Schema, error) {
	sdl, err := s.toSDL()
	if err != nil {
		return nil, err
	}
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "shopify-admin.graphql", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("build shopify admin schema: %w", err)
	}
	return schema, nil
}
