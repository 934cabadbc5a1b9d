package skumap

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxBytes bounds a mapping's source: a ConfigMap holds at most 1 MiB, and a catalog past
// that still fits with room.
const MaxBytes = 64 << 20

// Header is the first line of a mapping in CSV.
var Header = []string{"channelSKU", "warehouseSKU", "quantity"}

// ParseCSV reads a mapping in CSV: the Header, then one row per line. Blank lines are
// skipped. Problems of the text (a missing field, a quantity that is not an integer) and of
// the rows are reported together, each naming its line.
func ParseCSV(r io.Reader, unmapped Unmapped) (*Mapping, error) {
	limited := &io.LimitedReader{R: r, N: MaxBytes + 1}
	cr := csv.NewReader(limited)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var p problems
	var rows []Row
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if first {
				p.add("the mapping is empty: it needs the header %s", strings.Join(Header, ","))
			}
			break
		}
		if err != nil {
			// A *csv.ParseError names its line itself; FieldPos has no record to answer for.
			p.add("%v", err)
			break
		}
		line, _ := cr.FieldPos(0)
		if first {
			if !headerMatches(rec) {
				p.add("line %d: the header must be %s, got %q", line, strings.Join(Header, ","), strings.Join(rec, ","))
				break
			}
			continue
		}
		if len(rec) != len(Header) {
			p.add("line %d: %d fields, want 3 (%s)", line, len(rec), strings.Join(Header, ","))
			continue
		}
		q, err := strconv.ParseInt(strings.TrimSpace(rec[2]), 10, 64)
		if err != nil {
			p.add("line %d: quantity %q is not an integer", line, rec[2])
			continue
		}
		rows = append(rows, Row{ChannelSKU: rec[0], WarehouseSKU: rec[1], Quantity: q, Position: line})
		if len(rows) > MaxRows {
			p.add("more than %d rows", MaxRows)
			break
		}
	}
	if limited.N <= 0 {
		return nil, fmt.Errorf("mapping is larger than %d bytes", MaxBytes)
	}
	if err := p.result(); err != nil {
		return nil, err
	}
	return New(rows, unmapped)
}

func headerMatches(rec []string) bool {
	if len(rec) != len(Header) {
		return false
	}
	for i, h := range Header {
		if !strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(rec[i], "\ufeff")), h) {
			return false
		}
	}
	return true
}
