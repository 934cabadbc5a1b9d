package skumap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// gzipMagic starts every gzip stream: a mapping file served compressed as is.
var gzipMagic = []byte{0x1f, 0x8b}

// maxLineBytes bounds one NDJSON line: a row is three short fields.
const maxLineBytes = 64 << 10

// Parse reads a mapping in the feed formats (CSV with the Header, a JSON array or NDJSON of
// {"channelSKU", "warehouseSKU", "quantity"} objects), gzip-compressed or not, within
// MaxBytes once decompressed.
func Parse(r io.Reader, format v1alpha1.FeedFormat, unmapped Unmapped) (*Mapping, error) {
	buffered := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = buffered
	if magic, _ := buffered.Peek(len(gzipMagic)); bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(buffered)
		if err != nil {
			return nil, fmt.Errorf("decompressing the mapping: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	switch format {
	case "", v1alpha1.FeedFormatCSV:
		return ParseCSV(src, unmapped)
	case v1alpha1.FeedFormatJSON, v1alpha1.FeedFormatNDJSON:
		limited := &io.LimitedReader{R: src, N: MaxBytes + 1}
		var rows []Row
		var err error
		if format == v1alpha1.FeedFormatJSON {
			rows, err = jsonRows(limited)
		} else {
			rows, err = ndjsonRows(limited)
		}
		if limited.N <= 0 {
			return nil, fmt.Errorf("mapping is larger than %d bytes", MaxBytes)
		}
		if err != nil {
			return nil, err
		}
		return New(rows, unmapped)
	default:
		return nil, fmt.Errorf("mapping format must be CSV, JSON or NDJSON, got %q", format)
	}
}

// jsonRow is one row as JSON; a missing quantity decodes as 0, which validation refuses.
type jsonRow struct {
	ChannelSKU   string `json:"channelSKU"`
	WarehouseSKU string `json:"warehouseSKU"`
	Quantity     int64  `json:"quantity"`
}

func jsonRows(r io.Reader) ([]Row, error) {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, errors.New("mapping is not a JSON array of rows")
	}
	var rows []Row
	var p problems
	for n := 1; dec.More(); n++ {
		var jr jsonRow
		if err := dec.Decode(&jr); err != nil {
			var typeErr *json.UnmarshalTypeError
			if !errors.As(err, &typeErr) {
				p.add("element %d: %v", n, err)
				return nil, p.result()
			}
			p.add("element %d: %s is not a %s", n, typeErr.Field, typeErr.Type)
			continue
		}
		rows = append(rows, Row{ChannelSKU: jr.ChannelSKU, WarehouseSKU: jr.WarehouseSKU, Quantity: jr.Quantity, Position: n, Unit: "element"})
		if len(rows) > MaxRows {
			return nil, fmt.Errorf("more than %d rows", MaxRows)
		}
	}
	if _, err := dec.Token(); err != nil {
		p.add("the array does not end: %v", err)
	}
	return rows, p.result()
}

func ndjsonRows(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	var rows []Row
	var p problems
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var jr jsonRow
		if err := json.Unmarshal([]byte(text), &jr); err != nil {
			p.add("line %d: %v", line, err)
			continue
		}
		rows = append(rows, Row{ChannelSKU: jr.ChannelSKU, WarehouseSKU: jr.WarehouseSKU, Quantity: jr.Quantity, Position: line})
		if len(rows) > MaxRows {
			return nil, fmt.Errorf("more than %d rows", MaxRows)
		}
	}
	if err := sc.Err(); err != nil {
		p.add("after line %d: %v", len(rows), err)
	}
	return rows, p.result()
}
