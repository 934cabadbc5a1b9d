package shopifyschema

import (
	"errors"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// ValidationError lists what is wrong with a document or its variables.
type ValidationError struct {
	Errors gqlerror.List
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, err := range e.Errors {
		msgs[i] = err.Message
	}
	return "invalid graphql document: " + strings.Join(msgs, "; ")
}

// Document is a parsed, validated document with the operation to run and its coerced
// variables.
type Document struct {
	Query     *ast.QueryDocument
	Operation *ast.OperationDefinition
	Variables map[string]any
}

// Prepare parses query, validates it against schema, selects the operation (operationName may
// be empty when the document has one operation) and checks vars against the operation's
// declared variable types. Numbers in vars may be json.Number, int64 or float64. Every
// failure is a *ValidationError.
func Prepare(schema *ast.Schema, query, operationName string, vars map[string]any) (*Document, error) {
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
	if len(errs) > 0 {
		return nil, &ValidationError{Errors: errs}
	}
	op := doc.Operations.ForName(operationName)
	if op == nil {
		if operationName == "" {
			return nil, &ValidationError{Errors: gqlerror.List{gqlerror.Errorf("an operation name is required when the document has several operations")}}
		}
		return nil, &ValidationError{Errors: gqlerror.List{gqlerror.Errorf("no operation named %q", operationName)}}
	}
	if vars == nil {
		vars = map[string]any{}
	}
	coerced, err := validator.VariableValues(schema, op, vars)
	if err != nil {
		var gqlErr *gqlerror.Error
		if !errors.As(err, &gqlErr) {
			gqlErr = gqlerror.Wrap(err)
		}
		return nil, &ValidationError{Errors: gqlerror.List{gqlErr}}
	}
	return &Document{Query: doc, Operation: op, Variables: coerced}, nil
}

// Validate reports whether query is a valid document for schema and vars fit the variable
// types it declares. A document with several operations is checked operation by operation.
func Validate(schema *ast.Schema, query string, vars map[string]any) error {
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
	if len(errs) > 0 {
		return &ValidationError{Errors: errs}
	}
	if vars == nil {
		vars = map[string]any{}
	}
	for _, op := range doc.Operations {
		if _, err := validator.VariableValues(schema, op, vars); err != nil {
			var gqlErr *gqlerror.Error
			if !errors.As(err, &gqlErr) {
				gqlErr = gqlerror.Wrap(err)
			}
			return &ValidationError{Errors: gqlerror.List{gqlErr}}
		}
	}
	return nil
}
