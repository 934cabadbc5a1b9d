package channel

import (
	"errors"

	"github.com/techoms/inventory-operator/internal/egress"
)

// Redact returns err as it may leave a connector: its message shows no URL userinfo or query
// values and none of secrets (egress.Error). A refusal stays a *RefusedError, its reason
// redacted the same way, so that callers can tell it apart and show its reason.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	var refused *RefusedError
	if errors.As(err, &refused) {
		return &RefusedError{Reason: egress.Text(refused.Reason, secrets...), Err: refused.Err}
	}
	return egress.Error(err, secrets...)
}
