package fulfillment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// record is one feed entry as raw JSON, so that each field's type can be checked and
// reported in the feed's own terms rather than in Go's.
type record struct {
	SKU      json.RawMessage `json:"sku"`
	Quantity json.RawMessage `json:"quantity"`
}

// parseJSON reads a JSON feed, one array of {"sku": ..., "quantity": ...} objects, element by
// element, so the document is never held whole. Positions are array indexes from 0.
func parseJSON(r io.Reader, lim limits) (*Levels, error) {
	b := newBuilder(UnitIndex)
	limiter := &entryLimiter{r: r, max: int64(lim.recordBytes)}
	dec := json.NewDecoder(limiter)
	// Numbers stay text: a token such as 1e700 is no float64, yet only a malformed feed.
	dec.UseNumber()
	tok, err := dec.Token()
	if err == io.EOF {
		b.problems.add(0, "feed is empty: want a JSON array")
		return nil, b.problems.err()
	}
	if err != nil {
		return nil, jsonFailure(b, dec, lim, 0, err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		b.problems.add(0, "feed is not a JSON array")
		return nil, b.problems.err()
	}
	var index int64
	for ; ; index++ {
		limiter.mark(index, dec.Buffered())
		if !dec.More() {
			break
		}
		if index >= lim.rows {
			b.problems.add(index, "%s", lim.tooManyRows())
			return nil, b.problems.err()
		}
		var rec record
		if err := dec.Decode(&rec); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				// The decoder has consumed the whole element; the next one can be read.
				b.problems.add(index, "element is a JSON %s, want an object", typeErr.Value)
				continue
			}
			return nil, jsonFailure(b, dec, lim, index, err)
		}
		sku, quantity, ok := checkRecord(&b.problems, index, rec)
		if !ok {
			continue
		}
		if err := b.add(sku, quantity, index); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return nil, jsonFailure(b, dec, lim, index, err)
	}
	limiter.mark(index, dec.Buffered())
	if _, err := dec.Token(); err != io.EOF {
		if tooLong := (*entryTooLongError)(nil); errors.As(err, &tooLong) {
			return nil, jsonFailure(b, dec, lim, index, err)
		}
		b.problems.add(index, "unexpected data after the array")
		return nil, b.problems.err()
	}
	return b.finish()
}

// jsonFailure reports a JSON syntax error, after which the decoder cannot go on.
func jsonFailure(b *builder, dec *json.Decoder, lim limits, index int64, err error) error {
	var syntaxErr *json.SyntaxError
	var tooLong *entryTooLongError
	switch {
	case errors.As(err, &tooLong):
		b.problems.add(tooLong.position, "%s", lim.recordTooLong("element"))
	case errors.As(err, &syntaxErr):
		b.problems.add(index, "invalid JSON at byte %d: %v", syntaxErr.Offset, err)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		b.problems.add(index, "feed ends in the middle of the JSON array (byte %d)", dec.InputOffset())
	default:
		// A failed read surfaces here too, and ParseLimit reports it instead.
		b.problems.add(index, "invalid JSON: %v", err)
	}
	return b.problems.err()
}

// checkRecord validates one JSON record, adding its problems to problems under position.
func checkRecord(problems *problemList, position int64, rec record) (string, int64, bool) {
	sku, skuProblem := jsonSKU(rec.SKU)
	quantity, quantityProblem := jsonQuantity(rec.Quantity)
	if skuProblem != "" {
		problems.add(position, "%s", skuProblem)
	}
	if quantityProblem != "" {
		problems.add(position, "%s", quantityProblem)
	}
	return sku, quantity, skuProblem == "" && quantityProblem == ""
}

func jsonSKU(raw json.RawMessage) (string, string) {
	switch kind := jsonKind(raw); kind {
	case "":
		return "", "missing sku"
	case "string":
		var sku string
		if err := json.Unmarshal(raw, &sku); err != nil {
			return "", fmt.Sprintf("sku is not a valid JSON string: %v", err)
		}
		if problem := checkSKU(sku); problem != "" {
			return "", problem
		}
		return sku, ""
	default:
		return "", fmt.Sprintf("sku is a JSON %s, want a string", kind)
	}
}

func jsonQuantity(raw json.RawMessage) (int64, string) {
	switch kind := jsonKind(raw); kind {
	case "":
		return 0, "missing quantity"
	case "number":
		return parseQuantity(string(bytes.TrimSpace(raw)))
	default:
		return 0, fmt.Sprintf("quantity is a JSON %s, want an integer number", kind)
	}
}

// jsonKind names the type of a raw JSON value, "" when the field was absent.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}
