package fulfillment

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// parseNDJSON reads an NDJSON feed: one {"sku": ..., "quantity": ...} object a line; blank
// lines are ignored. The first object may instead be {"snapshotTime": RFC 3339}: when the
// levels were true. Positions are line numbers from 1.
func parseNDJSON(r io.Reader, lim limits) (*Levels, error) {
	b := newBuilder(UnitLine)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(4<<10, lim.recordBytes)), lim.recordBytes)
	var line, rows int64
	var snapshot time.Time
	first := true
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if first {
			first = false
			if t, ok, problem := ndjsonSnapshot(text); ok || problem != "" {
				if problem != "" {
					b.problems.add(line, "%s", problem)
				}
				snapshot = t
				continue
			}
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
	levels, err := b.finish()
	if err != nil || snapshot.IsZero() {
		return levels, err
	}
	return levels.WithSnapshot(snapshot), nil
}

// ndjsonSnapshot reads a {"snapshotTime": ...} line: ok when it is one, with a problem when
// its time is not RFC 3339.
func ndjsonSnapshot(text []byte) (time.Time, bool, string) {
	if !bytes.Contains(text, []byte(`"snapshotTime"`)) {
		return time.Time{}, false, ""
	}
	var head struct {
		SnapshotTime *string         `json:"snapshotTime"`
		SKU          json.RawMessage `json:"sku"`
	}
	if err := json.Unmarshal(text, &head); err != nil || head.SnapshotTime == nil || head.SKU != nil {
		return time.Time{}, false, ""
	}
	t, err := time.Parse(time.RFC3339Nano, *head.SnapshotTime)
	if err != nil {
		return time.Time{}, false, fmt.Sprintf("snapshotTime %s is not an RFC 3339 time", quote(*head.SnapshotTime))
	}
	return t, true, ""
}
