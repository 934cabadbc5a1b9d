package fulfillment

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// utf8BOM starts CSV files written by some spreadsheet tools.
const utf8BOM = "\ufeff"

// parseCSV reads a CSV feed: a header line naming the columns sku and quantity (any order,
// any case, other columns ignored), then one row a SKU. Fields are trimmed of surrounding
// spaces, which CSV writers add as formatting.
func parseCSV(r io.Reader, lim limits) (*Levels, error) {
	b := newBuilder(UnitLine)
	cr := csv.NewReader(newCSVRecordLimiter(r, lim.recordBytes))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // rows are checked for the two columns this feed needs, no more
	cr.TrimLeadingSpace = true

	header, err := cr.Read()
	if err == io.EOF {
		b.problems.add(1, "feed is empty: want a header line with columns sku and quantity")
		return nil, b.problems.err()
	}
	if err != nil {
		return nil, csvFailure(b, lim, err)
	}
	skuCol, quantityCol := -1, -1
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, utf8BOM)
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "sku":
			if skuCol >= 0 {
				b.problems.add(1, "header names the column sku twice")
			}
			skuCol = i
		case "quantity":
			if quantityCol >= 0 {
				b.problems.add(1, "header names the column quantity twice")
			}
			quantityCol = i
		}
	}
	if skuCol < 0 {
		b.problems.add(1, "header has no sku column")
	}
	if quantityCol < 0 {
		b.problems.add(1, "header has no quantity column")
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
			return nil, csvFailure(b, lim, err)
		}
		line, _ := cr.FieldPos(0)
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
// parsing stops there with the problems found so far.
func csvFailure(b *builder, lim limits, err error) error {
	var pe *csv.ParseError
	var tooLong *entryTooLongError
	switch {
	case errors.As(err, &pe):
		b.problems.add(int64(pe.Line), "%v", pe.Err)
	case errors.As(err, &tooLong):
		b.problems.add(tooLong.position, "%s", lim.recordTooLong("record"))
	default:
		return err // a read error; ParseLimit reports it
	}
	return b.problems.err()
}
