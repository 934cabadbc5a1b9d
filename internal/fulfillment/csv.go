package fulfillment

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// utf8BOM starts CSV files written by some spreadsheet tools.
const utf8BOM = "\ufeff"

// csvSnapshotComment starts the one comment line a CSV feed may open with, before its
// header: "# snapshotTime: 2026-03-01T08:00:00Z", when its levels were true.
const csvSnapshotComment = "#"

// parseCSV reads a CSV feed: optionally a first line "# snapshotTime: <RFC 3339>", then a
// header line naming the columns sku and quantity (any order, any case, other columns
// ignored), then one row a SKU. Fields are trimmed of surrounding spaces, which CSV writers
// add as formatting. Positions are the file's line numbers from 1.
func parseCSV(r io.Reader, lim limits) (*Levels, error) {
	b := newBuilder(UnitLine)
	br := bufio.NewReader(r)
	snapshot, skipped, problem := csvSnapshot(br, lim.recordBytes)
	if problem != "" {
		b.problems.add(1, "%s", problem)
		return nil, b.problems.err()
	}
	levels, err := parseCSVRecords(br, lim, b, skipped)
	if err != nil || snapshot.IsZero() {
		return levels, err
	}
	return levels.WithSnapshot(snapshot), nil
}

// csvSnapshot reads the snapshot comment line when the feed opens with one (after a byte
// order mark, which it drops with the line): the time and the lines it read (0 or 1), or a
// problem when the line is not "# snapshotTime: <RFC 3339>".
func csvSnapshot(br *bufio.Reader, maxLine int) (time.Time, int64, string) {
	head, _ := br.Peek(len(utf8BOM) + len(csvSnapshotComment))
	opens := strings.TrimPrefix(string(head), utf8BOM)
	if !strings.HasPrefix(opens, csvSnapshotComment) {
		return time.Time{}, 0, ""
	}
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLine {
			return time.Time{}, 1, "the first line is longer than a record may be"
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
	}
	text := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(string(line), utf8BOM), csvSnapshotComment))
	name, value, ok := strings.Cut(text, ":")
	if !ok || strings.TrimSpace(name) != "snapshotTime" {
		return time.Time{}, 1, "a comment line may only open the feed, as # snapshotTime: <RFC 3339 time>"
	}
	value = strings.TrimSpace(value)
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return time.Time{}, 1, fmt.Sprintf("snapshotTime %s is not an RFC 3339 time", quote(value))
	}
	return t, 1, ""
}

// parseCSVRecords reads the header and the rows, after skipped lines already read.
func parseCSVRecords(r io.Reader, lim limits, b *builder, skipped int64) (*Levels, error) {
	limiter := newCSVRecordLimiter(r, lim.recordBytes)
	limiter.line, limiter.recordLine = 1+skipped, 1+skipped
	cr := csv.NewReader(limiter)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // rows are checked for the two columns this feed needs, no more
	cr.TrimLeadingSpace = true

	header, err := cr.Read()
	if err == io.EOF {
		b.problems.add(1+skipped, "feed is empty: want a header line with columns sku and quantity")
		return nil, b.problems.err()
	}
	if err != nil {
		return nil, csvFailure(b, lim, err, skipped)
	}
	skuCol, quantityCol := -1, -1
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, utf8BOM)
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "sku":
			if skuCol >= 0 {
				b.problems.add(1+skipped, "header names the column sku twice")
			}
			skuCol = i
		case "quantity":
			if quantityCol >= 0 {
				b.problems.add(1+skipped, "header names the column quantity twice")
			}
			quantityCol = i
		}
	}
	if skuCol < 0 {
		b.problems.add(1+skipped, "header has no sku column")
	}
	if quantityCol < 0 {
		b.problems.add(1+skipped, "header has no quantity column")
	}
	if !b.problems.empty() {
		return nil, b.problems.err()
	}

	for rows := int64(1); ; rows++ {
		record, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvFailure(b, lim, err, skipped)
		}
		line, _ := cr.FieldPos(0)
		line += int(skipped)
		if rows > lim.rows {
			b.problems.add(int64(line), "%s", lim.tooManyRows())
			return nil, b.problems.err()
		}
		if len(record) <= max(skuCol, quantityCol) {
			b.problems.add(int64(line), "row has %d fields, too few for the sku and quantity columns", len(record))
			continue
		}
		sku := strings.TrimSpace(record[skuCol])
		quantity, problem := parseQuantity(strings.TrimSpace(record[quantityCol]))
		skuProblem := checkSKU(sku)
		if skuProblem != "" {
			b.problems.add(int64(line), "%s", skuProblem)
		}
		if problem != "" {
			b.problems.add(int64(line), "%s", problem)
		}
		if skuProblem != "" || problem != "" {
			continue
		}
		// record's strings are reused by the next Read; the builder copies sku.
		if err := b.add(sku, quantity, int64(line)); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// csvFailure reports a CSV syntax error, after which the reader's position is unreliable, so
// parsing stops there with the problems found so far. The reader counts lines after skipped.
func csvFailure(b *builder, lim limits, err error, skipped int64) error {
	var pe *csv.ParseError
	var tooLong *entryTooLongError
	switch {
	case errors.As(err, &pe):
		b.problems.add(int64(pe.Line)+skipped, "%v", pe.Err)
	case errors.As(err, &tooLong):
		b.problems.add(tooLong.position, "%s", lim.recordTooLong("record"))
	default:
		return err // a read error; ParseLimit reports it
	}
	return b.problems.err()
}
