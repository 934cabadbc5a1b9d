package fulfillment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// record is one feed entry as raw JSON, so that each field's type can be checked and
// reported in the feed's own terms rather than in Go's.
type record struct {
	SKU      json.RawMessage `json:"sku"`
	Quantity json.RawMessage `json:"quantity"`
}

// parseJSON reads a JSON feed, one array of {"sku": ..., "quantity": ...} objects, or an
// object {"snapshotTime": RFC 3339, "levels": [...]} saying when the levels were true, element
// by element, so the document is never held whole. Positions are array indexes from 0.
func parseJSON(r io.Reader, lim limits) (*Levels, error) {
	b := newBuilder(UnitIndex)
	limiter := &entryLimiter{r: r, max: int64(lim.recordBytes)}
	dec := json.NewDecoder(limiter)
	// Numbers stay text: a token such as 1e700 is no float64, yet only a malformed feed.
	dec.UseNumber()
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		b.problems.add(0, "feed is empty: want a JSON array")
		return nil, b.problems.err()
	}
	if err != nil {
		return nil, jsonFailure(b, dec, lim, 0, err)
	}
	var snapshot time.Time
	var index int64
	outer := "array"
	switch delim, _ := tok.(json.Delim); delim {
	case '[':
		if index, err = readJSONLevels(dec, limiter, b, lim); err != nil {
			return nil, err
		}
	case '{':
		outer = "object"
		if snapshot, index, err = readJSONDocument(dec, limiter, b, lim); err != nil {
			return nil, err
		}
	default:
		b.problems.add(0, "feed is not a JSON array, nor an object with snapshotTime and levels")
		return nil, b.problems.err()
	}
	limiter.mark(index, dec.Buffered())
	if _, err := dec.Token(); err != io.EOF {
		if tooLong := (*entryTooLongError)(nil); errors.As(err, &tooLong) {
			return nil, jsonFailure(b, dec, lim, index, err)
		}
		b.problems.add(index, "unexpected data after the %s", outer)
		return nil, b.problems.err()
	}
	levels, err := b.finish()
	if err != nil || snapshot.IsZero() {
		return levels, err
	}
	return levels.WithSnapshot(snapshot), nil
}

// readJSONDocument reads the fields of a feed's object after its '{': snapshotTime, and
// levels, the array of levels. It returns the snapshot (zero without one) and the levels' count.
func readJSONDocument(dec *json.Decoder, limiter *entryLimiter, b *builder, lim limits) (time.Time, int64, error) {
	var snapshot time.Time
	var index int64
	levels := false
	for {
		limiter.mark(index, dec.Buffered())
		if !dec.More() {
			break
		}
		tok, err := dec.Token()
		if err != nil {
			return snapshot, index, jsonFailure(b, dec, lim, index, err)
		}
		switch key, _ := tok.(string); key {
		case "snapshotTime":
			var text string
			if err := dec.Decode(&text); err != nil {
				b.problems.add(index, "snapshotTime is not a string: want an RFC 3339 time")
				return snapshot, index, b.problems.err()
			}
			if snapshot, err = time.Parse(time.RFC3339Nano, text); err != nil {
				b.problems.add(index, "snapshotTime %s is not an RFC 3339 time", quote(text))
				return snapshot, index, b.problems.err()
			}
		case "levels":
			if tok, err := dec.Token(); err != nil {
				return snapshot, index, jsonFailure(b, dec, lim, index, err)
			} else if delim, _ := tok.(json.Delim); delim != '[' {
				b.problems.add(index, "levels is not a JSON array")
				return snapshot, index, b.problems.err()
			}
			if index, err = readJSONLevels(dec, limiter, b, lim); err != nil {
				return snapshot, index, err
			}
			levels = true
		default:
			b.problems.add(index, "feed is not a JSON array, nor an object with snapshotTime and levels only: its object has a field %s", quote(key))
			return snapshot, index, b.problems.err()
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return snapshot, index, jsonFailure(b, dec, lim, index, err)
	}
	if !levels {
		b.problems.add(index, "the feed's object has no levels array")
		return snapshot, index, b.problems.err()
	}
	return snapshot, index, nil
}

// readJSONLevels reads the elements of a levels array after its '[', and its ']', into b. It
// returns the number of elements.
func readJSONLevels(dec *json.Decoder, limiter *entryLimiter, b *builder, lim limits) (int64, error) {
	var index int64
	for ; ; index++ {
		limiter.mark(index, dec.Buffered())
		if !dec.More() {
			break
		}
		if index >= lim.rows {
			b.problems.add(index, "%s", lim.tooManyRows())
			return index, b.problems.err()
		}
		var rec record
		if err := dec.Decode(&rec); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				// The decoder has consumed the whole element; the next one can be read.
				b.problems.add(index, "element is a JSON %s, want an object", typeErr.Value)
				continue
			}
			return index, jsonFailure(b, dec, lim, index, err)
		}
		sku, quantity, ok := checkRecord(&b.problems, index, rec)
		if !ok {
			continue
		}
		if err := b.add(sku, quantity, index); err != nil {
			return index, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return index, jsonFailure(b, dec, lim, index, err)
	}
	return index, nil
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
