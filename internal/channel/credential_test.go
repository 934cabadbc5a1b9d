package channel

import "testing"

func TestTrimCredential(t *testing.T) {
	for _, tc := range []struct{ name, raw, want string }{
		{"bare", "shpat_123", "shpat_123"},
		{"trailing newline", "shpat_123\n", "shpat_123"},
		{"trailing CRLF", "shpat_123\r\n", "shpat_123"},
		{"several line breaks", "shpat_123\n\n\r\n", "shpat_123"},
		{"surrounding spaces are part of a signing secret", "  s3cret \t\n", "  s3cret \t"},
		{"leading newline kept", "\nshpat_123", "\nshpat_123"},
		{"only line breaks", "\r\n", ""},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TrimCredential(tc.raw); got != tc.want {
				t.Errorf("TrimCredential(%q) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
}
