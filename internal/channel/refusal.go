package channel

import (
	"errors"
	"fmt"
)

// RefusedError is a definite refusal of a whole Write call: the channel answered and applied
// nothing (an HTTP 4xx other than throttling, a GraphQL error or user error that covers the
// whole call). Retrying the same call cannot succeed. Any other error from Write is an unknown
// outcome (a timeout, a reset connection, a 5xx): the changes may or may not be applied.
type RefusedError struct {
	// Reason is the channel's own explanation, already free of credentials and URLs.
	Reason string
	// Err is the connector's error the refusal was read from, if any, kept so that a caller
	// can log what the channel answered; the message is Reason's.
	Err error
}

func (e *RefusedError) Error() string { return "the channel refused the call: " + e.Reason }

// Unwrap returns the connector's error the refusal was read from, or nil.
func (e *RefusedError) Unwrap() error { return e.Err }

// Refused returns a RefusedError with a formatted reason.
func Refused(format string, args ...any) error {
	return &RefusedError{Reason: fmt.Sprintf(format, args...)}
}

// IsRefused reports whether err is a definite refusal: nothing of the call was applied.
func IsRefused(err error) bool {
	var r *RefusedError
	return errors.As(err, &r)
}
