package channel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	if Redact(nil) != nil {
		t.Fatal("Redact(nil) is not nil")
	}
	tests := []struct {
		name        string
		err         error
		wantRefused bool
	}{
		{"unknown outcome", fmt.Errorf("posting: %w", context.DeadlineExceeded), false},
		{"refusal", fmt.Errorf("writing: %w", Refused(`HTTP 403 from https://h.example/?sig=qs3cret: token tok-s3cret`)), true},
	}
	for _, tt := range tests {
		err := Redact(fmt.Errorf("%w (https://u:pw-s3cret@h.example/x?sig=qs3cret)", tt.err), "tok-s3cret")
		for _, secret := range []string{"qs3cret", "pw-s3cret", "tok-s3cret"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: %q shows %s", tt.name, err, secret)
			}
		}
		if IsRefused(err) != tt.wantRefused {
			t.Errorf("%s: IsRefused = %v", tt.name, !tt.wantRefused)
		}
		var r *RefusedError
		if errors.As(err, &r) && strings.Contains(r.Reason, "s3cret") {
			t.Errorf("%s: reason %q shows a secret", tt.name, r.Reason)
		}
	}
}
