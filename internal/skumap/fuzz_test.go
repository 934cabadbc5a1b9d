package skumap

import (
	"bytes"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// FuzzParse feeds arbitrary documents to the parser of every format: it never panics, and a
// mapping it accepts keeps the rule's bounds (every quantity in 1..MaxQuantity, a row count
// that matches its components).
func FuzzParse(f *testing.F) {
	f.Add([]byte("channelSKU,warehouseSKU,quantity\nBOX,MUG,1\nBOX,TEA,2\n"), uint8(0))
	f.Add([]byte(`[{"channelSKU":"BOX","warehouseSKU":"MUG","quantity":1}]`), uint8(1))
	f.Add([]byte("{\"channelSKU\":\"A\",\"warehouseSKU\":\"B\",\"quantity\":1}\n{\"channelSKU\":\"B\",\"warehouseSKU\":\"A\",\"quantity\":1}\n"), uint8(2))
	f.Add([]byte("channelSKU,warehouseSKU,quantity\n\"BOX,MUG,1\n"), uint8(0))
	formats := []v1alpha1.FeedFormat{v1alpha1.FeedFormatCSV, v1alpha1.FeedFormatJSON, v1alpha1.FeedFormatNDJSON}
	f.Fuzz(func(t *testing.T, doc []byte, format uint8) {
		m, err := Parse(bytes.NewReader(doc), formats[int(format)%len(formats)], UnmappedSelf)
		if err != nil {
			return
		}
		rows := 0
		for _, comps := range m.channel {
			for _, c := range comps {
				if c.Quantity < 1 || c.Quantity > MaxQuantity || c.WarehouseSKU == "" {
					t.Fatalf("accepted component %+v", c)
				}
				rows++
			}
		}
		if rows != m.Rows() {
			t.Fatalf("%d components from %d rows", rows, m.Rows())
		}
	})
}
