package shopifytest

import (
	"fmt"
	"math"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// intRangeError finds the first Int among an operation's variables that does not fit 32
// bits. Shopify's Int "can represent values between -(2^31) and 2^31 - 1"
// (https://shopify.dev/docs/api/admin-graphql/2025-04/scalars/Int), and a variable outside
// that range fails coercion before anything runs: the response carries one top-level error
// and no data, as for any other invalid variable value. The schema library the fake checks
// documents with reads Int as 64 bits, hence this check.
func intRangeError(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) *gqlError {
	for _, def := range op.VariableDefinitions {
		path, value, found := outOfRangeInt(schema, def.Type, vars[def.Variable], nil)
		if !found {
			continue
		}
		where := ""
		if len(path) > 0 {
			parts := make([]string, len(path))
			for i, p := range path {
				parts[i] = fmt.Sprint(p)
			}
			where = " for " + strings.Join(parts, ".")
		}
		explanation := fmt.Sprintf("Could not coerce value %d to Int", value)
		return &gqlError{
			Message: fmt.Sprintf("Variable $%s of type %s was provided invalid value%s (%s)", def.Variable, def.Type, where, explanation),
			Extensions: map[string]any{"problems": []map[string]any{{
				"path": append([]any{}, path...), "explanation": explanation,
			}}},
		}
	}
	return nil
}

// outOfRangeInt walks value as an instance of typ and returns the path to the first Int
// outside 32 bits.
func outOfRangeInt(schema *ast.Schema, typ *ast.Type, value any, path []any) ([]any, int64, bool) {
	if value == nil || typ == nil {
		return nil, 0, false
	}
	if typ.Elem != nil {
		list, _ := value.([]any)
		for i, v := range list {
			if p, n, found := outOfRangeInt(schema, typ.Elem, v, append(path, i)); found {
				return p, n, true
			}
		}
		return nil, 0, false
	}
	if typ.NamedType == "Int" {
		n, ok := asInt(value)
		if ok && (n > math.MaxInt32 || n < math.MinInt32) {
			return append([]any(nil), path...), n, true
		}
		return nil, 0, false
	}
	def := schema.Types[typ.NamedType]
	fields, _ := value.(map[string]any)
	if def == nil || def.Kind != ast.InputObject || fields == nil {
		return nil, 0, false
	}
	for _, f := range def.Fields {
		if p, n, found := outOfRangeInt(schema, f.Type, fields[f.Name], append(path, f.Name)); found {
			return p, n, true
		}
	}
	return nil, 0, false
}
