package shopifytest

import (
	"strings"
)

// parseSKUQuery reads the part of Shopify's search syntax a sync connector uses to find items
// by SKU: terms `sku:VALUE` joined by OR, a value optionally in double or single quotes, with
// backslash escapes. An empty query matches everything (nil, true). Matching is exact.
// Anything else (other fields, AND, negation, wildcards) is reported as unsupported.
func parseSKUQuery(q string) (skus []string, all bool, ok bool) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, true, true
	}
	tokens, ok := searchTokens(q)
	if !ok {
		return nil, false, false
	}
	for i, tok := range tokens {
		if i%2 == 1 {
			if tok.text != "OR" || tok.quoted {
				return nil, false, false
			}
			continue
		}
		value, found := strings.CutPrefix(tok.text, "sku:")
		if !found || tok.quoted {
			return nil, false, false
		}
		if !tok.valueQuoted && strings.HasSuffix(value, "*") {
			return nil, false, false
		}
		skus = append(skus, value)
	}
	if len(tokens)%2 == 0 {
		return nil, false, false // dangling OR
	}
	return skus, false, true
}

type searchToken struct {
	text string
	// quoted: the whole token was quoted; valueQuoted: the value after "field:" was.
	quoted, valueQuoted bool
}

// searchTokens splits a query on unquoted whitespace, removing quotes and escapes.
func searchTokens(q string) ([]searchToken, bool) {
	var tokens []searchToken
	var cur strings.Builder
	var tok searchToken
	inToken := false
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\\' && i+1 < len(q):
			i++
			cur.WriteByte(q[i])
			inToken = true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
			if cur.Len() == 0 {
				tok.quoted = true
			} else {
				tok.valueQuoted = true
			}
			inToken = true
		case c == ' ' || c == '\t' || c == '\n':
			if inToken {
				tok.text = cur.String()
				tokens = append(tokens, tok)
				cur.Reset()
				tok = searchToken{}
				inToken = false
			}
		default:
			cur.WriteByte(c)
			inToken = true
		}
	}
	if quote != 0 {
		return nil, false
	}
	if inToken {
		tok.text = cur.String()
		tokens = append(tokens, tok)
	}
	return tokens, true
}
