package fulfillment

import (
	"errors"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func TestParseEntryAndRowBounds(t *testing.T) {
	small := limits{rows: 3, recordBytes: 64}
	long := strings.Repeat("x", 80)
	tests := []struct {
		name   string
		format v1alpha1.FeedFormat
		feed   string
		// want is the last problem's prefix; "" means the feed parses.
		want string
	}{
		{"csv at the row bound", v1alpha1.FeedFormatCSV, "sku,quantity\nA,1\nB,1\nC,1\n", ""},
		{"csv beyond the row bound", v1alpha1.FeedFormatCSV, "sku,quantity\nA,1\nB,x\nC,1\nD,1\n",
			"line 5: feed has more than 3 entries"},
		{"csv long line", v1alpha1.FeedFormatCSV, "sku,quantity\nA,1\nB,1," + long + "\n",
			"line 3: record is longer than 64 bytes"},
		{"csv long quoted multi-line field", v1alpha1.FeedFormatCSV,
			"sku,quantity,note\nA,1,\"" + strings.Repeat("x\n", 40) + "\"\n", "line 2: record is longer than 64 bytes"},
		{"csv long header", v1alpha1.FeedFormatCSV, "sku,quantity," + long + "\nA,1\n", "line 1: record is longer than 64 bytes"},
		{"csv quoted line ends are no record ends", v1alpha1.FeedFormatCSV,
			"sku,quantity,note\nA,1,\"" + strings.Repeat("\n", 20) + "\"\nB,2,\"" + strings.Repeat("\n", 20) + "\"\n", ""},

		{"json at the row bound", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1},{"sku":"B","quantity":1},{"sku":"C","quantity":1}]`, ""},
		{"json beyond the row bound", v1alpha1.FeedFormatJSON,
			`[{"sku":"A","quantity":1},{"sku":"B","quantity":1},{"sku":"C","quantity":1},{"sku":"D","quantity":1}]`,
			"index 3: feed has more than 3 entries"},
		{"json long element", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1},{"sku":"B","quantity":1,"n":"` + long + `"}]`,
			"index 1: element is longer than 64 bytes"},
		{"json long run of spaces", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1},` + strings.Repeat(" ", 80) + `{"sku":"B","quantity":1}]`,
			"index 1: element is longer than 64 bytes"},
		{"json long run after the array", v1alpha1.FeedFormatJSON, `[{"sku":"A","quantity":1}]` + strings.Repeat(" ", 80),
			"index 1: element is longer than 64 bytes"},
		{"json many small elements", v1alpha1.FeedFormatJSON,
			`[{"sku":"A","quantity":1},` + strings.Repeat(" ", 30) + `{"sku":"B","quantity":1},` + strings.Repeat(" ", 30) + `{"sku":"C","quantity":1}]`, ""},

		{"ndjson beyond the row bound, blank lines not counted", v1alpha1.FeedFormatNDJSON,
			"{\"sku\":\"A\",\"quantity\":1}\n\n{\"sku\":\"B\",\"quantity\":1}\n{\"sku\":\"C\",\"quantity\":1}\n\n{\"sku\":\"D\",\"quantity\":1}\n",
			"line 6: feed has more than 3 entries"},
		{"ndjson long line", v1alpha1.FeedFormatNDJSON, "{\"sku\":\"A\",\"quantity\":1}\n{\"sku\":\"" + long + "\",\"quantity\":1}\n",
			"line 2: line is longer than 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			levels, err := parseWithin(strings.NewReader(tt.feed), tt.format, 0, small)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				return
			}
			var feedErr *FeedError
			if !errors.As(err, &feedErr) {
				t.Fatalf("got %d levels and error %v, want a *FeedError", levels.Len(), err)
			}
			if got := feedErr.Problems[len(feedErr.Problems)-1].String(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("last problem = %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

// TestParseBoundsAreTheDefaults checks Parse enforces the package's bounds.
func TestParseBoundsAreTheDefaults(t *testing.T) {
	feed := "sku,quantity\nA,1,\"" + strings.Repeat("x", MaxRecordBytes) + "\"\n"
	_, err := Parse(strings.NewReader(feed), v1alpha1.FeedFormatCSV)
	if err == nil || !strings.Contains(err.Error(), "line 2: record is longer than 64 KiB") {
		t.Fatalf("error = %v, want the record bound", err)
	}
}
