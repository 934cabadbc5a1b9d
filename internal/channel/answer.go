package channel

import "errors"

// answerer is an error that kept the start of the answer it was read from.
type answerer interface {
	Answer() string
}

// Answer returns the start of the channel's raw answer behind err, redacted, or "". It is for
// the sync pod's log only: a raw answer may be any page of whatever the channel's URL points
// at, so errors, and through them status and Events, carry only the status code and the
// channel's parsed error.
func Answer(err error) string {
	var a answerer
	if errors.As(err, &a) {
		return a.Answer()
	}
	return ""
}
