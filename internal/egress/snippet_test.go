package egress

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A credential echoed across the cut must not leave its start behind: the whole body is
// redacted before anything is cut.
func TestSnippetRedactsBeforeCutting(t *testing.T) {
	const secret = "shpat_0123456789abcdef"
	for cut := 3; cut < len(secret); cut++ {
		prefix := strings.Repeat("x", 40-cut)
		body := prefix + " " + secret + " was refused"
		got := Snippet([]byte(body), true, 40, secret)
		if strings.Contains(got, secret[:3]) {
			t.Errorf("limit 40, secret at %d: snippet %q shows the start of the secret", len(prefix)+1, got)
		}
		if len(got) > 40 {
			t.Errorf("snippet %q is longer than 40 bytes", got)
		}
	}
	// The same holds for a URL whose query is cut.
	got := Snippet([]byte("see https://admin.internal/?db_password=hunter2hunter2 for details"), true, 45)
	if strings.Contains(got, "hunter") {
		t.Errorf("snippet %q shows the start of a query value", got)
	}
}

// A body cut by the read limit may end inside a credential, which redaction would not
// recognise: its last word is dropped.
func TestSnippetOfAnIncompleteBodyDropsItsLastWord(t *testing.T) {
	const secret = "shpat_0123456789abcdef"
	got := Snippet([]byte("token "+secret[:10]), false, 200, secret)
	if strings.Contains(got, "shpat") || got != "token" {
		t.Errorf("snippet %q, want %q", got, "token")
	}
	if got := Snippet([]byte(secret[:10]), false, 200, secret); got != "" {
		t.Errorf("snippet of one cut word %q, want nothing", got)
	}
}

func TestSnippetIsOneLineOnACharacterBoundary(t *testing.T) {
	got := Snippet([]byte("<html>\n  <b>Fehler:</b>\tÜberlast ÜÜÜÜÜÜ\n</html>"), true, 34)
	if strings.ContainsAny(got, "\n\t") || !utf8.ValidString(got) || len(got) > 34 {
		t.Errorf("snippet %q is not one valid line of at most 34 bytes", got)
	}
	if !strings.HasPrefix(got, "<html> <b>Fehler:</b> Überlast") || !strings.HasSuffix(got, "...") {
		t.Errorf("snippet %q", got)
	}
}

func TestReadAnswerIsBounded(t *testing.T) {
	body, complete := ReadAnswer(strings.NewReader(strings.Repeat("a", MaxAnswerRead+10)))
	if len(body) != MaxAnswerRead || complete {
		t.Errorf("read %d bytes, complete %v; want %d, false", len(body), complete, MaxAnswerRead)
	}
	body, complete = ReadAnswer(strings.NewReader("short"))
	if string(body) != "short" || !complete {
		t.Errorf("read %q, complete %v", body, complete)
	}
}
