package fulfillment

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// parseNDJSON reads an NDJSON feed: one {"sku": ..., "quantity": ...} object a line; blank
// lines are ignored. Positions are line numbers from 1.
func parseNDJSON(r io.Reader, lim limits) (*Levels, error) {
	b := newBuilder(UnitLine)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(4<<10, lim.recordBytes)), lim.recordBytes)
	var line, rows int64
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if rows++; rows > lim.rows {
			b.problems.add(line, "%s", lim.tooManyRows())
			return nil, b.problems.err()
		}
		if text[0] != '{' {
			b.problems.add(line, "line is not a JSON object")
			continue
		}
		var rec record
		if err := json.Unmarshal(text, &rec); err != nil {
			b.problems.add(line, "invalid JSON: %v", err)
			continue
		}
		sku, quantity, ok := checkRecord(&b.problems, line, rec)
		if !ok {
			continue
		}
		if err := b.add(sku, quantity, line); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			b.problems.add(line+1, "%s", lim.recordTooLong("line"))
			return nil, b.problems.err()
		}
		return nil, err // a read error; ParseLimit reports it
	}
	return b.finish()
}
