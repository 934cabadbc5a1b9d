// Package egresstest provides servers for tests that credentials do not follow a redirect to
// another origin: one that redirects, and one at other origins that records what it gets.
package egresstest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Elsewhere is a server on loopback that records the headers of every request it gets and
// answers 404.
type Elsewhere struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []http.Header
}

// NewElsewhere starts an Elsewhere, closed with the test.
func NewElsewhere(t testing.TB) *Elsewhere {
	e := &Elsewhere{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.seen = append(e.seen, r.Header.Clone())
		e.mu.Unlock()
		http.Error(w, "nothing here", http.StatusNotFound)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// Origins are two base URLs of the server, each another origin than any other test server:
// 127.0.0.1 at its own port, and the same port under the name localhost.
func (e *Elsewhere) Origins() []string {
	port := e.srv.URL[strings.LastIndex(e.srv.URL, ":"):]
	return []string{e.srv.URL, "http://localhost" + port}
}

// Seen returns the headers of the requests so far, in order.
func (e *Elsewhere) Seen() []http.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]http.Header(nil), e.seen...)
}

// AssertNotSent fails the test unless the server got n requests, none of them with any of
// headers.
func (e *Elsewhere) AssertNotSent(t testing.TB, n int, headers ...string) {
	t.Helper()
	seen := e.Seen()
	if len(seen) != n {
		t.Fatalf("another origin got %d requests, want %d", len(seen), n)
	}
	for i, h := range seen {
		for _, name := range headers {
			if v := h.Get(name); v != "" {
				t.Errorf("request %d to another origin carried %s: %q", i, name, v)
			}
		}
	}
}

// Redirector starts a server that answers every request with status (a 3xx) and a Location
// of target joined with the request's path; it is closed with the test.
func Redirector(t testing.TB, target string, status int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, status)
	}))
	t.Cleanup(srv.Close)
	return srv
}
