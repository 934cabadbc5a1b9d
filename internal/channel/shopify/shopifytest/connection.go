package shopifytest

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// maxPageSize is the most nodes one connection page returns, as on Shopify.
const maxPageSize = 250

// connection is one page of a Relay connection. Nodes are built by the resolver of the field
// that returned the connection; cursors encode the node's numeric id like Shopify's do.
type connection struct {
	nodes   []any
	cursors []string
	hasNext bool
	hasPrev bool
	// last is the store index of the last node, where the next page starts after.
	last int
}

type edge struct {
	node   any
	cursor string
}

type pageInfo struct {
	hasNext, hasPrev bool
	start, end       string
}

func isConnection(typeName string) bool { return strings.HasSuffix(typeName, "Connection") }

var connectionResolvers = map[string]resolver{
	"nodes": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
		return p.(*connection).nodes, nil
	},
	"edges": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
		c := p.(*connection)
		edges := make([]any, len(c.nodes))
		for i, n := range c.nodes {
			edges[i] = &edge{node: n, cursor: c.cursors[i]}
		}
		return edges, nil
	},
	"pageInfo": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
		c := p.(*connection)
		pi := &pageInfo{hasNext: c.hasNext, hasPrev: c.hasPrev}
		if n := len(c.cursors); n > 0 {
			pi.start, pi.end = c.cursors[0], c.cursors[n-1]
		}
		return pi, nil
	},
}

var edgeResolvers = map[string]resolver{
	"node":   func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) { return p.(*edge).node, nil },
	"cursor": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) { return p.(*edge).cursor, nil },
}

func init() {
	optional := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	register("PageInfo", map[string]resolver{
		"hasNextPage": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(*pageInfo).hasNext, nil
		},
		"hasPreviousPage": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return p.(*pageInfo).hasPrev, nil
		},
		"startCursor": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return optional(p.(*pageInfo).start), nil
		},
		"endCursor": func(_ *execution, p any, _ *ast.Field, _ map[string]any) (any, error) {
			return optional(p.(*pageInfo).end), nil
		},
	})
}

// page is what a connection field was asked for: up to limit nodes with an index above after.
type page struct {
	after int // store index of the last node already seen, -1 for the start
	limit int
}

// pageFromArgs reads first and after the way Shopify checks them. last, before and reverse
// are not served. In a bulk export the whole connection is read, whatever the arguments.
func (x *execution) pageFromArgs(args map[string]any, base int64) (page, error) {
	if x.bulk != nil {
		return x.bulk.page(), nil
	}
	for _, unsupported := range []string{"last", "before"} {
		if args[unsupported] != nil {
			x.h.recordUnsupported("argument " + unsupported)
			return page{}, errorf("", "shopifytest does not serve the %s argument", unsupported)
		}
	}
	if r, _ := args["reverse"].(bool); r {
		x.h.recordUnsupported("argument reverse")
		return page{}, errorf("", "shopifytest does not serve reverse: true")
	}
	first, ok := asInt(args["first"])
	if !ok {
		return page{}, errorf("BAD_REQUEST", "you must provide one of first or last")
	}
	if first < 0 || first > maxPageSize {
		return page{}, errorf("BAD_REQUEST", "The value for first must be between 0 and %d", maxPageSize)
	}
	p := page{after: -1, limit: int(first)}
	if after, ok := args["after"].(string); ok && after != "" {
		idx, ok := decodeCursor(after, base)
		if !ok {
			return page{}, errorf("BAD_REQUEST", "Invalid cursor for current pagination.")
		}
		p.after = idx
	}
	return p, nil
}

type cursorJSON struct {
	LastID    int64  `json:"last_id"`
	LastValue string `json:"last_value"`
}

func encodeCursor(index int, base int64) string {
	id := base + int64(index) + 1
	data, _ := json.Marshal(cursorJSON{LastID: id, LastValue: strconv.FormatInt(id, 10)})
	return base64.StdEncoding.EncodeToString(data)
}

func decodeCursor(cursor string, base int64) (int, bool) {
	data, err := base64.StdEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	var c cursorJSON
	if err := json.Unmarshal(data, &c); err != nil || c.LastID <= base {
		return 0, false
	}
	return int(c.LastID - base - 1), true
}

// pageOfIndexes builds a connection page from candidate store indexes in ascending order.
func pageOfIndexes(candidates []int32, p page, base int64, node func(int) any) *connection {
	c := &connection{hasPrev: p.after >= 0}
	for _, idx := range candidates {
		i := int(idx)
		if i <= p.after {
			continue
		}
		if len(c.nodes) == p.limit {
			c.hasNext = true
			break
		}
		c.nodes = append(c.nodes, node(i))
		c.cursors = append(c.cursors, encodeCursor(i, base))
		c.last = i
	}
	return c
}

// pageOfRange builds a connection page over the store indexes 0..n-1.
func pageOfRange(n int, p page, base int64, node func(int) any) *connection {
	c := &connection{hasPrev: p.after >= 0}
	for i := p.after + 1; i < n; i++ {
		if len(c.nodes) == p.limit {
			c.hasNext = true
			break
		}
		c.nodes = append(c.nodes, node(i))
		c.cursors = append(c.cursors, encodeCursor(i, base))
		c.last = i
	}
	return c
}

// asInt reads an Int argument, whether it came from a literal (int64) or from JSON variables.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), n == float64(int64(n))
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}
