package podexec

import "testing"

func TestExpand(t *testing.T) {
	env := map[string]string{"RUN": "abc-123", "EMPTY": ""}
	for _, tc := range []struct{ in, want string }{
		{"--run-id=$(RUN)", "--run-id=abc-123"},
		{"$(RUN)$(RUN)", "abc-123abc-123"},
		{"--x=$(EMPTY)", "--x="},
		{"--x=$(UNDEFINED)", "--x=$(UNDEFINED)"},
		{"$$(RUN)", "$(RUN)"},
		{"cost $5", "cost $5"},
		{"trailing $", "trailing $"},
		{"$(RUN", "$(RUN"},
		{"plain", "plain"},
	} {
		if got := expand(tc.in, env); got != tc.want {
			t.Errorf("expand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
