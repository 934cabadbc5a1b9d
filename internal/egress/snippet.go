package egress

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxAnswerRead bounds how much of an error answer is read to explain it: an error page or
// a protocol's error document is far smaller, and the rest is discarded unread.
const MaxAnswerRead = 64 << 10

// ReadAnswer reads an error answer's body, at most MaxAnswerRead bytes; complete is false
// when more followed.
func ReadAnswer(r io.Reader) (body []byte, complete bool) {
	body, _ = io.ReadAll(io.LimitReader(r, MaxAnswerRead+1))
	if len(body) > MaxAnswerRead {
		return body[:MaxAnswerRead], false
	}
	return body, true
}

// Snippet renders the start of an answer's body on one line, for a log: the whole body is
// redacted first (Text), and only then cut to at most limit bytes on a character boundary.
// Cutting first would leave the start of a credential that spans the cut, which redaction no
// longer recognises. A body that is not complete (cut by a read limit) loses its last word
// for the same reason: a credential may start there.
func Snippet(body []byte, complete bool, limit int, secrets ...string) string {
	s := strings.ToValidUTF8(string(body), "\uFFFD")
	if !complete {
		if i := strings.LastIndexFunc(s, unicode.IsSpace); i >= 0 {
			s = s[:i]
		} else {
			s = ""
		}
	}
	s = strings.Join(strings.Fields(Text(s, secrets...)), " ")
	return Cut(s, limit)
}

// Cut returns s cut to at most limit bytes on a character boundary, with "..." in place of
// what was cut. Cut text that may hold a credential only after redacting it as a whole.
func Cut(s string, limit int) string {
	const ellipsis = "..."
	if len(s) <= limit {
		return s
	}
	if limit < len(ellipsis) {
		return ""
	}
	end := limit - len(ellipsis)
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + ellipsis
}
