package shopifytest

import (
	"reflect"
	"testing"
)

func TestParseSKUQuery(t *testing.T) {
	cases := []struct {
		query string
		skus  []string
		all   bool
		ok    bool
	}{
		{"", nil, true, true},
		{"sku:A", []string{"A"}, false, true},
		{"sku:A OR sku:B  OR sku:C-1", []string{"A", "B", "C-1"}, false, true},
		{`sku:"with space" OR sku:'q'`, []string{"with space", "q"}, false, true},
		{`sku:a\:b`, []string{"a:b"}, false, true},
		{"sku:A AND sku:B", nil, false, false},
		{"title:A", nil, false, false},
		{"sku:A*", nil, false, false},
		{"sku:A OR", nil, false, false},
		{`sku:"open`, nil, false, false},
	}
	for _, tc := range cases {
		skus, all, ok := parseSKUQuery(tc.query)
		if !reflect.DeepEqual(skus, tc.skus) || all != tc.all || ok != tc.ok {
			t.Errorf("%q: got %v %v %v, want %v %v %v", tc.query, skus, all, ok, tc.skus, tc.all, tc.ok)
		}
	}
}
