package relay

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// TokenSet holds the bearer tokens a relay accepts, as SHA-256 digests: comparing digests of
// equal length in constant time reveals neither a token nor its length.
type TokenSet struct {
	digests [][sha256.Size]byte
}

// ParseTokens reads tokens separated by newlines or commas; blank entries and lines starting
// with # are skipped. It fails when no token is left.
func ParseTokens(text string) (*TokenSet, error) {
	var set TokenSet
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, tok := range strings.Split(line, ",") {
			if tok = strings.TrimSpace(tok); tok != "" {
				set.digests = append(set.digests, sha256.Sum256([]byte(tok)))
			}
		}
	}
	if len(set.digests) == 0 {
		return nil, errors.New("no bearer token configured")
	}
	return &set, nil
}

// Allows says whether token is in the set. It compares against every token, so the time
// taken does not depend on which one matched.
func (s *TokenSet) Allows(token string) bool {
	if s == nil || token == "" {
		return false
	}
	d := sha256.Sum256([]byte(token))
	match := 0
	for i := range s.digests {
		match |= subtle.ConstantTimeCompare(d[:], s.digests[i][:])
	}
	return match == 1
}

// TokenFile reads tokens from a file, such as a mounted Secret key, and reads it again when
// it changes, so a rotated Secret takes effect without a restart.
type TokenFile struct {
	path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	set     *TokenSet
}

// NewTokenFile reads the file once, to fail early when it is missing or empty.
func NewTokenFile(path string) (*TokenFile, error) {
	f := &TokenFile{path: path}
	if _, err := f.Tokens(); err != nil {
		return nil, err
	}
	return f, nil
}

// Tokens returns the file's tokens, re-reading it when its size or time changed. When a
// re-read fails, the tokens read last stay in force.
func (f *TokenFile) Tokens() (*TokenSet, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info, err := os.Stat(f.path)
	if err != nil {
		if f.set != nil {
			return f.set, nil
		}
		return nil, fmt.Errorf("reading bearer tokens: %w", err)
	}
	if f.set != nil && info.ModTime().Equal(f.modTime) && info.Size() == f.size {
		return f.set, nil
	}
	data, err := os.ReadFile(f.path)
	if err == nil {
		var set *TokenSet
		if set, err = ParseTokens(string(data)); err == nil {
			f.set, f.modTime, f.size = set, info.ModTime(), info.Size()
		}
	}
	if f.set == nil {
		return nil, fmt.Errorf("reading bearer tokens from %s: %w", f.path, err)
	}
	return f.set, nil
}
