package eventnote

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBound(t *testing.T) {
	for _, tc := range []struct {
		name     string
		note     string
		want     string // "" when only the properties are checked
		shortens bool
	}{
		{name: "short note kept", note: "run x failed: read 10", want: "run x failed: read 10"},
		{name: "exactly the limit kept", note: strings.Repeat("a", MaxBytes), want: strings.Repeat("a", MaxBytes)},
		{name: "one byte over", note: strings.Repeat("a", MaxBytes+1), want: strings.Repeat("a", MaxBytes-len(ellipsis)) + ellipsis, shortens: true},
		{name: "two-byte characters", note: strings.Repeat("ü", MaxBytes), shortens: true},
		{name: "three-byte characters", note: strings.Repeat("€", MaxBytes), shortens: true},
		{name: "four-byte characters", note: strings.Repeat("𝄞", MaxBytes), shortens: true},
		{name: "multi-byte character straddling the cut", note: strings.Repeat("a", MaxBytes-len(ellipsis)-1) + "𝄞" + strings.Repeat("b", 100), want: strings.Repeat("a", MaxBytes-len(ellipsis)-1) + ellipsis, shortens: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Bound(tc.note)
			if len(got) > MaxBytes {
				t.Errorf("len = %d, want at most %d", len(got), MaxBytes)
			}
			if !utf8.ValidString(got) {
				t.Errorf("result is not valid UTF-8: %q", got[len(got)-8:])
			}
			if tc.shortens != strings.HasSuffix(got, ellipsis) {
				t.Errorf("ends with ellipsis = %v, want %v", !tc.shortens, tc.shortens)
			}
			if tc.shortens && !strings.HasPrefix(tc.note, strings.TrimSuffix(got, ellipsis)) {
				t.Error("the shortened note is not a prefix of the note")
			}
			if tc.want != "" && got != tc.want {
				t.Errorf("Bound = %q, want %q", got, tc.want)
			}
		})
	}
}
