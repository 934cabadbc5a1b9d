package relay

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

// logLines collects what a TokenFile logs.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, args)
	}, funcr.Options{})
}

func (l *logLines) containing(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

func tokenFile(t *testing.T, content string) (*TokenFile, string, *logLines) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens")
	write(t, path, content)
	f, err := NewTokenFile(path)
	if err != nil {
		t.Fatalf("NewTokenFile: %v", err)
	}
	logs := &logLines{}
	f.Log = logs.logger()
	return f, path, logs
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// allows reports whether the file's tokens now accept token; an error accepts nothing, as
// the HTTP handler does.
func allows(f *TokenFile, token string) bool {
	set, err := f.Tokens()
	return err == nil && set.Allows(token)
}

func TestAnEmptyTokenFileAcceptsNoTokenAndStillStarts(t *testing.T) {
	f, _, _ := tokenFile(t, "# no tokens yet\n\n")
	if allows(f, "") || allows(f, "anything") {
		t.Error("an empty token file accepts a token")
	}
}

func TestEmptyingTheTokenFileRevokesEveryToken(t *testing.T) {
	f, path, logs := tokenFile(t, "one-token\nsecond-token\n")
	if !allows(f, "one-token") {
		t.Fatal("the token in the file is refused")
	}
	write(t, path, "")
	if allows(f, "one-token") || allows(f, "second-token") {
		t.Error("a token removed from the file is still accepted")
	}
	if logs.containing("lists no bearer token") != 1 {
		t.Errorf("the revocation was not logged once: %q", logs.lines)
	}
	write(t, path, "a-new-token-after-all\n")
	if !allows(f, "a-new-token-after-all") || allows(f, "one-token") {
		t.Error("the file's new token is not the one accepted")
	}
}

func TestRemovingTheTokenFileRevokesEveryToken(t *testing.T) {
	f, path, logs := tokenFile(t, "one-token\n")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if allows(f, "one-token") {
		t.Error("a token is still accepted after its file was removed")
	}
	if logs.containing("token file is gone") != 1 {
		t.Errorf("the removal was not logged once: %q", logs.lines)
	}
	write(t, path, "a-token-after-all\n")
	if !allows(f, "a-token-after-all") {
		t.Error("the file's return is not read")
	}
}

// A read that fails for another reason than the file's absence (here: the path turned into
// a directory, which cannot be read as a file) is taken as transient.
func TestATransientReadErrorKeepsTheTokensReadLast(t *testing.T) {
	f, path, logs := tokenFile(t, "one-token\n")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if !allows(f, "one-token") {
			t.Fatal("a transient read error revoked the tokens")
		}
	}
	if n := logs.containing("the tokens read last stay in force"); n != 1 {
		t.Errorf("the read error was logged %d times, want once: %q", n, logs.lines)
	}
}

func TestATokenFileThatCannotBeReadAtStartIsRefused(t *testing.T) {
	if _, err := NewTokenFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing token file was accepted at start")
	}
	dir := t.TempDir()
	if _, err := NewTokenFile(dir); err == nil {
		t.Error("an unreadable token file was accepted at start")
	}
}

func TestParseTokensStillRefusesNoToken(t *testing.T) {
	if _, err := ParseTokens(" , \n# only a comment\n"); err == nil {
		t.Error("ParseTokens accepted no token")
	}
	set, err := ParseTokens("a,b\nc")
	if err != nil || set.Len() != 3 || !set.Allows("b") {
		t.Errorf("ParseTokens = %v, %v", set, err)
	}
}
