package relay

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// TokenSet holds the bearer tokens a relay accepts, as SHA-256 digests: comparing digests of
// equal length in constant time reveals neither a token nor its length.
type TokenSet struct {
	digests [][sha256.Size]byte
}

// ParseTokens reads tokens separated by newlines or commas; blank entries and lines starting
// with # are skipped. It fails when no token is left: a relay configured with no token at all
// is a mistake worth refusing at start.
func ParseTokens(text string) (*TokenSet, error) {
	set := parseTokens(text)
	if set.Len() == 0 {
		return nil, errors.New("no bearer token configured")
	}
	return set, nil
}

// parseTokens reads tokens like ParseTokens; the set may be empty.
func parseTokens(text string) *TokenSet {
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
	return &set
}

// Len is the number of tokens in the set.
func (s *TokenSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.digests)
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
// it changes, so a rotated Secret takes effect without a restart, and so does a revocation:
// a file that lists no token, or that no longer exists (the key was removed from the
// Secret), accepts no token. Only a read that fails otherwise (a transient error of the
// volume) keeps the tokens read last in force, and is logged.
type TokenFile struct {
	path string
	// Log receives the changes of the accepted set and the read errors; each is logged
	// once, not on every request.
	Log logr.Logger

	mu      sync.Mutex
	modTime time.Time
	size    int64
	set     *TokenSet
	// state describes the last outcome logged, so that a repeated one is not logged again.
	state string
}

// NewTokenFile reads the file once. It fails when the file cannot be read, a mistake in the
// relay's configuration; a file that lists no token is read as such, and accepts none.
func NewTokenFile(path string) (*TokenFile, error) {
	f := &TokenFile{path: path, Log: ctrllog.Log.WithName("relay").WithName("tokens")}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("reading bearer tokens: %w", err)
	}
	if _, err := f.Tokens(); err != nil {
		return nil, err
	}
	return f, nil
}

// Tokens returns the tokens accepted now, re-reading the file when its size or time changed.
func (f *TokenFile) Tokens() (*TokenSet, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info, err := os.Stat(f.path)
	if err != nil {
		return f.failed(err)
	}
	if f.set != nil && info.ModTime().Equal(f.modTime) && info.Size() == f.size {
		return f.set, nil
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return f.failed(err)
	}
	f.set, f.modTime, f.size = parseTokens(string(data)), info.ModTime(), info.Size()
	if f.set.Len() == 0 {
		f.logOnce("empty", func() {
			f.Log.Info("the token file lists no bearer token: every request is refused", "file", f.path)
		})
	} else {
		f.logOnce(fmt.Sprintf("read %d", f.set.Len()), func() {
			f.Log.Info("read the bearer tokens", "file", f.path, "tokens", f.set.Len())
		})
	}
	return f.set, nil
}

// failed handles a failed read. A file that does not exist was removed on purpose (a
// Secret's key is removed so): no token is accepted. Any other failure is taken as
// transient: the tokens read last stay in force, and without any the read fails.
func (f *TokenFile) failed(err error) (*TokenSet, error) {
	if errors.Is(err, fs.ErrNotExist) {
		// A zero time and size make the file's return read at once.
		f.set, f.modTime, f.size = &TokenSet{}, time.Time{}, 0
		f.logOnce("gone", func() {
			f.Log.Info("the token file is gone: every request is refused", "file", f.path)
		})
		return f.set, nil
	}
	if f.set == nil {
		return nil, fmt.Errorf("reading bearer tokens from %s: %w", f.path, err)
	}
	f.logOnce("error "+err.Error(), func() {
		f.Log.Error(err, "reading the token file failed: the tokens read last stay in force", "file", f.path, "tokens", f.set.Len())
	})
	return f.set, nil
}

// logOnce calls log when state differs from the last one logged.
func (f *TokenFile) logOnce(state string, log func()) {
	if f.state != state {
		f.state = state
		log()
	}
}
