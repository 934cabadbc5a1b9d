package shopifytest

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// jsonBuf appends JSON to a byte slice. Responses are written in the order the document
// selects fields, as GraphQL requires, and a bulk export writes a million lines with it, so it
// avoids building intermediate maps.
type jsonBuf struct {
	b []byte
}

func (w *jsonBuf) raw(s string) { w.b = append(w.b, s...) }
func (w *jsonBuf) byte(c byte)  { w.b = append(w.b, c) }
func (w *jsonBuf) null()        { w.b = append(w.b, "null"...) }
func (w *jsonBuf) int(n int64)  { w.b = strconv.AppendInt(w.b, n, 10) }

// str appends s as a JSON string; plain ASCII, the common case, is copied as is.
func (w *jsonBuf) str(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s)
			w.b = append(w.b, quoted...)
			return
		}
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, s...)
	w.b = append(w.b, '"')
}

// scalar appends a resolved scalar or enum value.
func (w *jsonBuf) scalar(v any) {
	switch v := v.(type) {
	case nil:
		w.null()
	case string:
		w.str(v)
	case int64:
		w.int(v)
	case int:
		w.int(int64(v))
	case bool:
		w.b = strconv.AppendBool(w.b, v)
	case float64:
		w.b = strconv.AppendFloat(w.b, v, 'f', -1, 64)
	case unsignedInt64:
		// Shopify serialises UnsignedInt64 as a string.
		w.str(strconv.FormatUint(uint64(v), 10))
	case time.Time:
		w.str(v.UTC().Format(time.RFC3339))
	default:
		data, err := json.Marshal(v)
		if err != nil {
			w.null()
			return
		}
		w.b = append(w.b, data...)
	}
}

// unsignedInt64 is a value of Shopify's UnsignedInt64 scalar.
type unsignedInt64 uint64
