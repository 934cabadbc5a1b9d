package fulfillment

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func TestParseValidFeeds(t *testing.T) {
	want := []Level{{"A-1", 98}, {"B-2", 27}, {"C-3", 0}}
	tests := []struct {
		name   string
		format v1alpha1.FeedFormat
		feed   string
	}{
		{"csv", v1alpha1.FeedFormatCSV, "sku,quantity\nB-2,27\nA-1,98\nC-3,0\n"},
		{"csv columns in another order, extra columns, odd case", v1alpha1.FeedFormatCSV,
			"Warehouse, Quantity ,SKU\nberlin,27,B-2\nberlin,98,A-1\nberlin,0,C-3"},
		{"csv with BOM, CRLF, spaces and blank lines", v1alpha1.FeedFormatCSV,
			"\ufeffsku,quantity\r\n B-2 , 27\r\n\r\nA-1,98\r\n\"C-3\",\"0\"\r\n"},
		{"json", v1alpha1.FeedFormatJSON,
			`[{"sku":"B-2","quantity":27},{"quantity":98,"sku":"A-1","name":"x"},{"sku":"C-3","quantity":0}]`},
		{"json pretty", v1alpha1.FeedFormatJSON,
			"[\n  {\"sku\": \"B-2\", \"quantity\": 27},\n  {\"sku\": \"A-1\", \"quantity\": 98},\n  {\"sku\": \"C-3\", \"quantity\": 0}\n]\n"},
		{"ndjson", v1alpha1.FeedFormatNDJSON,
			"{\"sku\":\"B-2\",\"quantity\":27}\n\n{\"sku\":\"A-1\",\"quantity\":98}\r\n{\"sku\":\"C-3\",\"quantity\":0}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			levels, err := Parse(strings.NewReader(tt.feed), tt.format)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertLevels(t, levels, want)
		})
	}
}

func TestParseEmptyFeeds(t *testing.T) {
	tests := []struct {
		format v1alpha1.FeedFormat
		feed   string
	}{
		{v1alpha1.FeedFormatCSV, "sku,quantity\n"},
		{v1alpha1.FeedFormatJSON, "[]"},
		{v1alpha1.FeedFormatNDJSON, ""},
	}
	for _, tt := range tests {
		levels, err := Parse(strings.NewReader(tt.feed), tt.format)
		if err != nil {
			t.Fatalf("%s: Parse: %v", tt.format, err)
		}
		if levels.Len() != 0 {
			t.Errorf("%s: Len = %d, want 0", tt.format, levels.Len())
		}
	}
}

func TestParseMalformedFeeds(t *testing.T) {
	tests := []struct {
		name   string
		format v1alpha1.FeedFormat
		feed   string
		// want are the problems, in order, as "<unit> <position>: <message fragment>".
		want []string
	}{
		{"csv empty document", v1alpha1.FeedFormatCSV, "", []string{"line 1: feed is empty"}},
		{"csv missing quantity column", v1alpha1.FeedFormatCSV, "sku,qty\nA,1\n",
			[]string{"line 1: header has no quantity column"}},
		{"csv missing sku column", v1alpha1.FeedFormatCSV, "item,quantity\nA,1\n",
			[]string{"line 1: header has no sku column"}},
		{"csv column named twice", v1alpha1.FeedFormatCSV, "sku,quantity,sku\nA,1,A\n",
			[]string{"line 1: header names the column sku twice"}},
		{"csv non-integer quantity", v1alpha1.FeedFormatCSV, "sku,quantity\nA,1\nB,1.5\n",
			[]string{`line 3: quantity "1.5" is not an integer`}},
		{"csv negative quantity", v1alpha1.FeedFormatCSV, "sku,quantity\nA,-3\n",
			[]string{"line 2: quantity -3 is negative"}},
		{"csv out of range quantity", v1alpha1.FeedFormatCSV, "sku,quantity\nA,99999999999999999999\n",
			[]string{"line 2: quantity \"99999999999999999999\" is out of range"}},
		{"csv quantity above the channels' bound", v1alpha1.FeedFormatCSV, "sku,quantity\nA,1000000000\nB,1000000001\n",
			[]string{"line 3: quantity 1000000001 is out of range"}},
		{"csv sku longer than 255 characters", v1alpha1.FeedFormatCSV,
			"sku,quantity\n" + strings.Repeat("é", 255) + ",1\n" + strings.Repeat("x", 256) + ",1\n",
			[]string{`line 3: sku "xxxx`}},
		{"csv empty quantity", v1alpha1.FeedFormatCSV, "sku,quantity\nA,\n",
			[]string{"line 2: quantity is empty"}},
		{"csv empty sku", v1alpha1.FeedFormatCSV, "sku,quantity\nA,1\n  ,2\n",
			[]string{"line 3: sku is empty"}},
		{"csv short row", v1alpha1.FeedFormatCSV, "sku,quantity\nA,1\nB\n",
			[]string{"line 3: row has 1 fields"}},
		{"csv duplicate sku", v1alpha1.FeedFormatCSV, "sku,quantity\nA,1\nB,2\nA,3\nA,4\n",
			[]string{`line 4: SKU "A" is listed again (first at line 2)`, `line 5: SKU "A" is listed again (first at line 2)`}},
		{"csv duplicate counted after a quoted multi-line field", v1alpha1.FeedFormatCSV,
			"sku,quantity,note\nA,1,\"two\nlines\"\nA,2,x\n",
			[]string{`line 4: SKU "A" is listed again (first at line 2)`}},
		{"csv syntax error stops with what came before", v1alpha1.FeedFormatCSV,
			"sku,quantity\nA,x\nB,\"2\n",
			[]string{`line 2: quantity "x" is not an integer`, "line 3: extraneous or missing"}},
		{"csv several problems, by line", v1alpha1.FeedFormatCSV,
			"quantity,sku\n-1,A\n2,\nabc,C\n4,D\n5,D\n",
			[]string{"line 2: quantity -1 is negative", "line 3: sku is empty",
				`line 4: quantity "abc" is not an integer`, `line 6: SKU "D" is listed again (first at line 5)`}},

		{"json empty document", v1alpha1.FeedFormatJSON, "  ", []string{"index 0: feed is empty"}},
		{"json not an array", v1alpha1.FeedFormatJSON, `{"sku":"A","quantity":1}`,
			[]string{"index 0: feed is not a JSON array"}},
		{"json a number beyond float64", v1alpha1.FeedFormatJSON, "1e700", []string{"index 0: feed is not a JSON array"}},
		{"json a number beyond float64 after the array", v1alpha1.FeedFormatJSON, "[] 1e700", []string{"index 0: unexpected data after the array"}},
		{"json element not an object", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1}, 7]`,
			[]string{"index 1: element is a JSON number, want an object"}},
		{"json non-integer quantity", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1},{"sku":"B","quantity":2.5}]`,
			[]string{`index 1: quantity "2.5" is not an integer`}},
		{"json exponent quantity", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1e3}]`,
			[]string{`index 0: quantity "1e3" is not an integer`}},
		{"json string quantity", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":"5"}]`,
			[]string{"index 0: quantity is a JSON string, want an integer number"}},
		{"json negative quantity", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":-1}]`,
			[]string{"index 0: quantity -1 is negative"}},
		{"json quantity above the channels' bound", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1000000000},{"sku":"B","quantity":9000000000}]`,
			[]string{"index 1: quantity 9000000000 is out of range"}},
		{"json sku longer than 255 characters", v1alpha1.FeedFormatJSON,
			`[{"sku":"` + strings.Repeat(`\u00e9`, 256) + `","quantity":1}]`,
			[]string{`index 0: sku "éé`}},
		{"json missing fields", v1alpha1.FeedFormatJSON, `[{"quantity":1},{"sku":"B"}]`,
			[]string{"index 0: missing sku", "index 1: missing quantity"}},
		{"json null and wrong types", v1alpha1.FeedFormatJSON, `[{"sku":null,"quantity":null},{"sku":5,"quantity":true}]`,
			[]string{"index 0: sku is a JSON null", "index 0: quantity is a JSON null",
				"index 1: sku is a JSON number", "index 1: quantity is a JSON boolean"}},
		{"json empty sku", v1alpha1.FeedFormatJSON, `[{"sku":"","quantity":1}]`, []string{"index 0: sku is empty"}},
		{"json duplicate sku", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1},{"sku":"B","quantity":1},{"sku":"A","quantity":2}]`,
			[]string{`index 2: SKU "A" is listed again (first at index 0)`}},
		{"json syntax error", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":-1},{"sku":"B" "quantity":1}]`,
			[]string{"index 0: quantity -1 is negative", "index 1: invalid JSON at byte"}},
		{"json truncated", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1},{"sku":"B","quan`,
			[]string{"index 1: feed ends in the middle of the JSON array"}},
		{"json data after the array", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1}] [`,
			[]string{"index 1: unexpected data after the array"}},

		{"ndjson bad JSON line", v1alpha1.FeedFormatNDJSON, "{\"sku\":\"A\",\"quantity\":1}\n{\"sku\":\"B\",\n{\"sku\":\"C\",\"quantity\":3}\n",
			[]string{"line 2: invalid JSON"}},
		{"ndjson quantity above the channels' bound", v1alpha1.FeedFormatNDJSON, "{\"sku\":\"A\",\"quantity\":1000000001}\n",
			[]string{"line 1: quantity 1000000001 is out of range"}},
		{"ndjson line not an object", v1alpha1.FeedFormatNDJSON, "{\"sku\":\"A\",\"quantity\":1}\n[1]\n",
			[]string{"line 2: line is not a JSON object"}},
		{"ndjson problems by line with blank lines counted", v1alpha1.FeedFormatNDJSON,
			"{\"sku\":\"A\",\"quantity\":1}\n\n{\"sku\":\"B\",\"quantity\":1.0}\n{\"sku\":\"\",\"quantity\":1}\n{\"sku\":\"A\",\"quantity\":-2}\n{\"sku\":\"A\",\"quantity\":2}\n",
			[]string{`line 3: quantity "1.0" is not an integer`, "line 4: sku is empty",
				"line 5: quantity -2 is negative", `line 6: SKU "A" is listed again (first at line 1)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			levels, err := Parse(strings.NewReader(tt.feed), tt.format)
			if err == nil {
				t.Fatalf("Parse succeeded with %d levels, want an error", levels.Len())
			}
			var feedErr *FeedError
			if !errors.As(err, &feedErr) {
				t.Fatalf("error %v is a %T, want a *FeedError", err, err)
			}
			if len(feedErr.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d: %v", len(feedErr.Problems), len(tt.want), err)
			}
			for i, want := range tt.want {
				if got := feedErr.Problems[i].String(); !strings.HasPrefix(got, want) {
					t.Errorf("problem %d = %q, want it to start with %q", i, got, want)
				}
			}
		})
	}
}

func TestParseCollectsAtMostMaxProblems(t *testing.T) {
	var feed strings.Builder
	feed.WriteString("sku,quantity\n")
	for i := range MaxProblems + 5 {
		feed.WriteString("S" + strings.Repeat("x", i) + ",-1\n")
	}
	_, err := Parse(strings.NewReader(feed.String()), v1alpha1.FeedFormatCSV)
	var feedErr *FeedError
	if !errors.As(err, &feedErr) {
		t.Fatalf("error %v, want a *FeedError", err)
	}
	if len(feedErr.Problems) != MaxProblems || feedErr.Omitted != 5 {
		t.Fatalf("got %d problems and %d omitted, want %d and 5", len(feedErr.Problems), feedErr.Omitted, MaxProblems)
	}
	if msg := err.Error(); !strings.Contains(msg, "25 problems") || !strings.HasSuffix(msg, "and 5 more") {
		t.Errorf("message %q does not state the total and the omitted count", msg)
	}
}

func TestParseGzip(t *testing.T) {
	feeds := map[v1alpha1.FeedFormat]string{
		v1alpha1.FeedFormatCSV:    "sku,quantity\nA-1,98\nB-2,27\n",
		v1alpha1.FeedFormatJSON:   `[{"sku":"A-1","quantity":98},{"sku":"B-2","quantity":27}]`,
		v1alpha1.FeedFormatNDJSON: "{\"sku\":\"A-1\",\"quantity\":98}\n{\"sku\":\"B-2\",\"quantity\":27}\n",
	}
	for format, feed := range feeds {
		levels, err := Parse(bytes.NewReader(gzipBytes(t, feed)), format)
		if err != nil {
			t.Fatalf("%s: Parse: %v", format, err)
		}
		assertLevels(t, levels, []Level{{"A-1", 98}, {"B-2", 27}})
	}
}

func TestParseCorruptGzip(t *testing.T) {
	compressed := gzipBytes(t, "sku,quantity\nA-1,98\n")
	compressed[len(compressed)-5] ^= 0xff // the CRC-32 of the trailer
	_, err := Parse(bytes.NewReader(compressed), v1alpha1.FeedFormatCSV)
	if err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Fatalf("error = %v, want a gzip failure", err)
	}
}

func TestParseSizeCap(t *testing.T) {
	feed := "sku,quantity\nA-1,98\nB-2,27\n"
	tests := []struct {
		name  string
		input []byte
		limit int64
		ok    bool
	}{
		{"exactly the cap", []byte(feed), int64(len(feed)), true},
		{"one byte over", []byte(feed), int64(len(feed)) - 1, false},
		{"decompressed size counts", gzipBytes(t, feed+strings.Repeat("\n", 10000)), 5000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLimit(bytes.NewReader(tt.input), v1alpha1.FeedFormatCSV, tt.limit)
			if tt.ok && err != nil {
				t.Fatalf("ParseLimit: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error = %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestParseUnknownFormat(t *testing.T) {
	if _, err := Parse(strings.NewReader(""), "XML"); err == nil || !strings.Contains(err.Error(), "XML") {
		t.Fatalf("error = %v, want one naming the format", err)
	}
}

func TestLevelsLookupAndOrder(t *testing.T) {
	levels, err := Parse(strings.NewReader("sku,quantity\nb,2\nA,1\na,3\nab,4\n"), v1alpha1.FeedFormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	assertLevels(t, levels, []Level{{"A", 1}, {"a", 3}, {"ab", 4}, {"b", 2}})
	for _, missing := range []string{"", "B", "aa", "c"} {
		if q, ok := levels.Lookup(missing); ok {
			t.Errorf("Lookup(%q) = %d, true; want not found", missing, q)
		}
	}
	var nilLevels *Levels
	if nilLevels.Len() != 0 {
		t.Error("nil Levels has a length")
	}
	if _, ok := nilLevels.Lookup("a"); ok {
		t.Error("nil Levels finds a SKU")
	}
}

// assertLevels checks levels against want, which is in ascending SKU order, through every
// accessor.
func assertLevels(t *testing.T, levels *Levels, want []Level) {
	t.Helper()
	if levels.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", levels.Len(), len(want))
	}
	var got []Level
	for sku, quantity := range levels.All() {
		got = append(got, Level{sku, quantity})
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("All()[%d] = %v, want %v", i, got[i], w)
		}
		if at := levels.At(i); at != w {
			t.Errorf("At(%d) = %v, want %v", i, at, w)
		}
		if q, ok := levels.Lookup(w.SKU); !ok || q != w.Quantity {
			t.Errorf("Lookup(%q) = %d, %t; want %d, true", w.SKU, q, ok, w.Quantity)
		}
	}
}

func gzipBytes(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
