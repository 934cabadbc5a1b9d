package egress

import (
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Redacted stands for a value removed from a message.
const Redacted = "REDACTED"

// URL renders a URL for messages: scheme, host and path, with userinfo and fragment dropped
// and every query value replaced, since any of them may carry a credential (a password, a
// token, a storage signature). The query's keys stay, to tell URLs apart.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" || u.ForceQuery {
		keys := make([]string, 0)
		for key := range u.Query() {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, key := range keys {
			parts[i] = url.QueryEscape(key) + "=" + Redacted
		}
		u.RawQuery, u.ForceQuery = strings.Join(parts, "&"), false
	}
	return u.String()
}

// urlInText finds URLs in a message. It stops at white space and quotes, which Go's
// *url.Error puts around the URL it repeats.
var urlInText = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]*://[^\s"'<>` + "`" + `]+`)

// Text returns msg with every URL in it rendered by URL and every non-empty secret replaced
// by Redacted.
func Text(msg string, secrets ...string) string {
	msg = urlInText.ReplaceAllStringFunc(msg, func(match string) string {
		// Punctuation that ends a sentence or precedes a message's next part is not the URL's.
		u := strings.TrimRight(match, ".,;:!?)")
		return URL(u) + match[len(u):]
	})
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, Redacted)
		}
	}
	return msg
}

// Error returns err with a message rendered by Text; nil stays nil. The result unwraps to
// err, so errors.Is and errors.As still see what went wrong; only its message is meant to be
// shown. A component applies it once, to every error it returns.
func Error(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	// Only an error redacted here as it is, not one wrapped since: the wrapper adds text.
	if r, ok := err.(*redactedError); ok && len(secrets) == 0 { //nolint:errorlint // see above
		return r
	}
	return &redactedError{msg: Text(err.Error(), secrets...), err: err}
}

// WithoutURL drops the *url.Error wrapper of an http.Client failure, whose text repeats the
// request's URL, for callers whose message names the address already.
func WithoutURL(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
