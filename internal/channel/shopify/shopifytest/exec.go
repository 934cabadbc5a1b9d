package shopifytest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// resolver returns the value of one field of parent. Objects are returned as the Go values
// the resolvers of their type understand, lists as []any or []string, null as untyped nil.
type resolver func(x *execution, parent any, f *ast.Field, args map[string]any) (any, error)

// resolvers maps a GraphQL type name and field name to the resolver serving it. A field the
// schema has but this table lacks is answered with an error and recorded as unsupported.
var resolvers = map[string]map[string]resolver{}

func register(typeName string, fields map[string]resolver) {
	if resolvers[typeName] == nil {
		resolvers[typeName] = map[string]resolver{}
	}
	for name, r := range fields {
		resolvers[typeName][name] = r
	}
}

// typed is implemented by values that can be returned where the schema expects an interface
// (Node); it names their concrete type and global id.
type typed interface {
	graphqlType() string
	globalID() string
}

// fieldError is an error a resolver returns to become an entry of the response's errors,
// with Shopify's extensions.
type fieldError struct {
	message    string
	extensions map[string]any
}

func (e *fieldError) Error() string { return e.message }

func errorf(code, format string, args ...any) *fieldError {
	e := &fieldError{message: fmt.Sprintf(format, args...)}
	if code != "" {
		e.extensions = map[string]any{"code": code}
	}
	return e
}

// gqlError is one entry of a response's errors, in Shopify's shape.
type gqlError struct {
	Message    string         `json:"message"`
	Locations  []gqlLocation  `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

type gqlLocation struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// execution runs one operation against the store. The caller holds the store lock: a write
// lock for a mutation, a read lock otherwise.
type execution struct {
	h      *Handler
	doc    *ast.QueryDocument
	vars   map[string]any
	host   string
	errors []gqlError
	// cost is the actual query cost, counted as values are written (see cost.go).
	cost int
	// frozen is set inside a mutation's payload, whose cost is the mutation's flat 10.
	frozen bool
	// bulk is set while writing a bulk operation's JSONL: nested connections are written as
	// lines of their own instead of inline.
	bulk *bulkExport
	// itemsWritten counts quantities a mutation changed.
	itemsWritten int
	// failStatus, when set, replaces the response with a failure of this HTTP status
	// (FailKeyedRequests).
	failStatus int
	// collected caches collect's result per selection set and type: a page or an export
	// writes the same selection for every node.
	collected map[collectKey][]collectedField
}

type collectKey struct {
	typeName string
	first    ast.Selection
	n        int
}

type collectedField struct {
	key   string
	field *ast.Field
	sels  ast.SelectionSet
}

// collect flattens a selection set for an object of typeName: fragments that apply are
// expanded, @skip and @include are honoured, fields with the same response key are merged.
func (x *execution) collect(typeName string, sels ast.SelectionSet, out []collectedField) []collectedField {
	for _, sel := range sels {
		switch s := sel.(type) {
		case *ast.Field:
			if !x.included(s.Directives) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			merged := false
			for i := range out {
				if out[i].key == key {
					out[i].sels = append(append(ast.SelectionSet(nil), out[i].sels...), s.SelectionSet...)
					merged = true
					break
				}
			}
			if !merged {
				out = append(out, collectedField{key: key, field: s, sels: s.SelectionSet})
			}
		case *ast.InlineFragment:
			if x.included(s.Directives) && x.applies(typeName, s.TypeCondition) {
				out = x.collect(typeName, s.SelectionSet, out)
			}
		case *ast.FragmentSpread:
			def := s.Definition
			if def == nil {
				def = x.doc.Fragments.ForName(s.Name)
			}
			if def != nil && x.included(s.Directives) && x.applies(typeName, def.TypeCondition) {
				out = x.collect(typeName, def.SelectionSet, out)
			}
		}
	}
	return out
}

func (x *execution) included(dirs ast.DirectiveList) bool {
	if d := dirs.ForName("skip"); d != nil {
		if v, _ := d.ArgumentMap(x.vars)["if"].(bool); v {
			return false
		}
	}
	if d := dirs.ForName("include"); d != nil {
		if v, _ := d.ArgumentMap(x.vars)["if"].(bool); !v {
			return false
		}
	}
	return true
}

func (x *execution) applies(typeName, condition string) bool {
	if condition == "" || condition == typeName {
		return true
	}
	for _, def := range x.h.schema.PossibleTypes[condition] {
		if def.Name == typeName {
			return true
		}
	}
	return false
}

// writeObject writes obj, of concrete type typeName, with the selected fields. parentID, when
// set, is added as __parentId (a child line of a bulk export).
func (x *execution) writeObject(w *jsonBuf, typeName string, sels ast.SelectionSet, obj any, path []any, parentID string) {
	fields := x.collectCached(typeName, sels)
	w.byte('{')
	first := true
	for _, cf := range fields {
		if x.bulk != nil && cf.field.Definition != nil && isConnection(cf.field.Definition.Type.Name()) {
			x.bulk.deferConnection(x, typeName, obj, cf)
			continue
		}
		if !first {
			w.byte(',')
		}
		first = false
		w.str(cf.key)
		w.byte(':')
		x.writeField(w, typeName, obj, cf, x.appendPath(path, cf.key))
	}
	if parentID != "" {
		if !first {
			w.byte(',')
		}
		w.raw(`"__parentId":`)
		w.str(parentID)
	}
	w.byte('}')
}

func (x *execution) writeField(w *jsonBuf, typeName string, obj any, cf collectedField, path []any) {
	f := cf.field
	if f.Name == "__typename" {
		w.str(typeName)
		return
	}
	r := lookupResolver(typeName, f.Name)
	if r == nil {
		x.h.recordUnsupported(typeName + "." + f.Name)
		x.addError(path, f, errorf("", "shopifytest does not serve %s.%s", typeName, f.Name))
		w.null()
		return
	}
	var args map[string]any
	if len(f.Arguments) > 0 || (f.Definition != nil && len(f.Definition.Arguments) > 0) {
		args = f.ArgumentMap(x.vars)
	}
	v, err := r(x, obj, f, args)
	if err != nil {
		x.addError(path, f, err)
		w.null()
		return
	}
	x.writeValue(w, f.Definition.Type, cf.sels, v, path)
}

func lookupResolver(typeName, field string) resolver {
	if r := resolvers[typeName][field]; r != nil {
		return r
	}
	switch {
	case strings.HasSuffix(typeName, "Connection"):
		return connectionResolvers[field]
	case strings.HasSuffix(typeName, "Edge"):
		return edgeResolvers[field]
	}
	return nil
}

func (x *execution) writeValue(w *jsonBuf, typ *ast.Type, sels ast.SelectionSet, v any, path []any) {
	if v == nil {
		w.null()
		return
	}
	if typ.Elem != nil {
		w.byte('[')
		switch list := v.(type) {
		case []any:
			for i, e := range list {
				if i > 0 {
					w.byte(',')
				}
				x.writeValue(w, typ.Elem, sels, e, x.appendPath(path, i))
			}
		case []string:
			for i, e := range list {
				if i > 0 {
					w.byte(',')
				}
				w.str(e)
			}
		}
		w.byte(']')
		return
	}
	def := x.h.schema.Types[typ.NamedType]
	if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum {
		w.scalar(v)
		return
	}
	typeName := def.Name
	if def.Kind != ast.Object {
		t, ok := v.(typed)
		if !ok {
			w.null()
			return
		}
		typeName = t.graphqlType()
	}
	x.countObject(typeName)
	x.writeObject(w, typeName, sels, v, path, "")
}

func (x *execution) addError(path []any, f *ast.Field, err error) {
	e := gqlError{Message: err.Error(), Path: append([]any(nil), path...)}
	if f != nil && f.Position != nil {
		e.Locations = []gqlLocation{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	if fe := (*fieldError)(nil); errors.As(err, &fe) {
		e.Extensions = fe.extensions
	}
	x.errors = append(x.errors, e)
}

// collectCached is collect with its result kept for the next object of the same type.
func (x *execution) collectCached(typeName string, sels ast.SelectionSet) []collectedField {
	if len(sels) == 0 {
		return nil
	}
	key := collectKey{typeName: typeName, first: sels[0], n: len(sels)}
	if fields, ok := x.collected[key]; ok {
		return fields
	}
	fields := x.collect(typeName, sels, nil)
	if x.collected == nil {
		x.collected = map[collectKey][]collectedField{}
	}
	x.collected[key] = fields
	return fields
}

// appendPath extends a response path, which errors carry. A bulk export does not track
// paths: its errors fail the whole operation.
func (x *execution) appendPath(path []any, elem any) []any {
	if x.bulk != nil {
		return nil
	}
	return appendPath(path, elem)
}

func appendPath(path []any, elem any) []any {
	out := make([]any, len(path)+1)
	copy(out, path)
	out[len(path)] = elem
	return out
}
