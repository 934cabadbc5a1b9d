package skumap

import (
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	m, err := ParseCSV(strings.NewReader("channelSKU,warehouseSKU,quantity\nGIFT-BOX,MUG,1\n\nGIFT-BOX,TEA,2\nSHOP-TEE-M,TS-M,1\n"), UnmappedSkip)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows() != 3 || m.Unmapped() != UnmappedSkip {
		t.Errorf("rows %d unmapped %s, want 3 and Skip", m.Rows(), m.Unmapped())
	}
	if comps, _ := m.Components("GIFT-BOX"); !IsKit(comps) {
		t.Errorf("GIFT-BOX is not a kit: %v", comps)
	}
	if comps, _ := m.Components("SHOP-TEE-M"); IsKit(comps) {
		t.Errorf("SHOP-TEE-M is not an alias: %v", comps)
	}
}

func TestParseCSVErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"empty", "", "the mapping is empty"},
		{"wrong header", "sku,quantity\n", "line 1: the header must be channelSKU,warehouseSKU,quantity"},
		{"missing field", "channelSKU,warehouseSKU,quantity\nBOX,MUG\n", "line 2: 2 fields, want 3"},
		{"quantity not an integer", "channelSKU,warehouseSKU,quantity\nBOX,MUG,1\nBOX,TEA,two\n", `line 3: quantity "two" is not an integer`},
		{"quantity out of range", "channelSKU,warehouseSKU,quantity\nBOX,MUG,1\n\nBOX,TEA,0\n", `line 4 ("BOX", "TEA", 0): quantity 0 is outside 1..1000000`},
		{"cycle", "channelSKU,warehouseSKU,quantity\nA,B,1\nB,A,1\n", `line 2 ("A", "B", 1): cycle "A" → "B" → "A"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tc.text), UnmappedSelf)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// A quote left open is a CSV syntax error, reported with its line, not a panic.
func TestParseCSVReportsSyntaxErrors(t *testing.T) {
	_, err := ParseCSV(strings.NewReader("channelSKU,warehouseSKU,quantity\n\"BOX,MUG,1\n"), UnmappedSelf)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error %v, want one naming line 2", err)
	}
}
