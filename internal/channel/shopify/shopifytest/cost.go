package shopifytest

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Query cost, after Shopify's published rules (see doc.go):
const (
	mutationCost   = 10 // each mutation field, whatever its payload selects
	objectCost     = 1  // each object, interface or union field
	connectionCost = 2  // each connection field, plus its nodes
	// maxQueryCost is the most a single query may request, whatever the plan.
	maxQueryCost = 1000
)

// requestedCost is the cost of op before it runs: connections count first (or last) nodes.
func requestedCost(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) int {
	if op.Operation == ast.Mutation {
		return mutationCost * len(op.SelectionSet)
	}
	return selectionCost(schema, op.SelectionSet, vars)
}

func selectionCost(schema *ast.Schema, sels ast.SelectionSet, vars map[string]any) int {
	total := 0
	for _, sel := range sels {
		switch s := sel.(type) {
		case *ast.Field:
			total += fieldCost(schema, s, vars)
		case *ast.InlineFragment:
			total += selectionCost(schema, s.SelectionSet, vars)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total += selectionCost(schema, s.Definition.SelectionSet, vars)
			}
		}
	}
	return total
}

func fieldCost(schema *ast.Schema, f *ast.Field, vars map[string]any) int {
	if f.Definition == nil {
		return 0
	}
	def := schema.Types[f.Definition.Type.Name()]
	if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum {
		return 0
	}
	if !isConnection(def.Name) {
		return objectCost + selectionCost(schema, f.SelectionSet, vars)
	}
	args := f.ArgumentMap(vars)
	n, ok := asInt(args["first"])
	if !ok {
		n, _ = asInt(args["last"])
	}
	return connectionCost + int(n)*nodeCost(schema, f.SelectionSet, vars)
}

// nodeCost is what one node of a connection costs: the node object and what it selects. A
// page selected through both nodes and edges is counted once, at the dearer of the two.
func nodeCost(schema *ast.Schema, sels ast.SelectionSet, vars map[string]any) int {
	most := 0
	for _, sel := range flatten(sels) {
		var c int
		switch sel.Name {
		case "nodes":
			c = objectCost + selectionCost(schema, sel.SelectionSet, vars)
		case "edges":
			for _, e := range flatten(sel.SelectionSet) {
				if e.Name == "node" {
					c = max(c, objectCost+selectionCost(schema, e.SelectionSet, vars))
				}
			}
		}
		most = max(most, c)
	}
	return most
}

func flatten(sels ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range sels {
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, flatten(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, flatten(s.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

// countObject adds the actual cost of one object written in a response, mirroring the
// requested cost: connections 2, edges and page info nothing (their nodes count), other
// objects 1. Inside a mutation payload nothing is added.
func (x *execution) countObject(typeName string) {
	if x.frozen {
		return
	}
	switch {
	case isConnection(typeName):
		x.cost += connectionCost
	case strings.HasSuffix(typeName, "Edge"), typeName == "PageInfo":
	default:
		x.cost += objectCost
	}
}
