package skumap

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func TestParseFormats(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write([]byte("channelSKU,warehouseSKU,quantity\nBOX,MUG,1\nBOX,TEA,2\nTEE,TS-M,1\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		format v1alpha1.FeedFormat
		text   string
	}{
		{"CSV", v1alpha1.FeedFormatCSV, "channelSKU,warehouseSKU,quantity\nBOX,MUG,1\nBOX,TEA,2\nTEE,TS-M,1\n"},
		{"gzip CSV", v1alpha1.FeedFormatCSV, gz.String()},
		{"JSON", v1alpha1.FeedFormatJSON, `[{"channelSKU":"BOX","warehouseSKU":"MUG","quantity":1},{"channelSKU":"BOX","warehouseSKU":"TEA","quantity":2},{"channelSKU":"TEE","warehouseSKU":"TS-M","quantity":1}]`},
		{"NDJSON", v1alpha1.FeedFormatNDJSON, "{\"channelSKU\":\"BOX\",\"warehouseSKU\":\"MUG\",\"quantity\":1}\n\n{\"channelSKU\":\"BOX\",\"warehouseSKU\":\"TEA\",\"quantity\":2}\n{\"channelSKU\":\"TEE\",\"warehouseSKU\":\"TS-M\",\"quantity\":1}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tc.text), tc.format, UnmappedSelf)
			if err != nil {
				t.Fatal(err)
			}
			kits, aliases := m.Kinds()
			if m.Rows() != 3 || kits != 1 || aliases != 1 {
				t.Errorf("rows %d, kits %d, aliases %d; want 3, 1, 1", m.Rows(), kits, aliases)
			}
		})
	}
}

func TestParseErrorsNameTheRow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format v1alpha1.FeedFormat
		text   string
		want   string
	}{
		{"JSON quantity", v1alpha1.FeedFormatJSON, `[{"channelSKU":"BOX","warehouseSKU":"MUG","quantity":1},{"channelSKU":"BOX","warehouseSKU":"TEA","quantity":0}]`,
			`element 2 ("BOX", "TEA", 0): quantity 0 is outside 1..1000000`},
		{"JSON type", v1alpha1.FeedFormatJSON, `[{"channelSKU":"BOX","warehouseSKU":"MUG","quantity":"one"}]`, "element 1: quantity is not a int64"},
		{"JSON not an array", v1alpha1.FeedFormatJSON, `{"rows":[]}`, "not a JSON array"},
		{"NDJSON syntax", v1alpha1.FeedFormatNDJSON, "{\"channelSKU\":\"BOX\",\"warehouseSKU\":\"MUG\",\"quantity\":1}\n{oops\n", "line 2:"},
		{"NDJSON cycle", v1alpha1.FeedFormatNDJSON, "{\"channelSKU\":\"A\",\"warehouseSKU\":\"B\",\"quantity\":1}\n{\"channelSKU\":\"B\",\"warehouseSKU\":\"A\",\"quantity\":1}\n", `line 1 ("A", "B", 1): cycle`},
		{"unknown format", "XML", "<rows/>", "must be CSV, JSON or NDJSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.text), tc.format, UnmappedSelf)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
