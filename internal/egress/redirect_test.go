package egress

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// headerRecorder is a server that keeps the headers of every request it gets.
type headerRecorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []http.Header
}

func newHeaderRecorder(t *testing.T) *headerRecorder {
	rec := &headerRecorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, r.Header.Clone())
		rec.mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *headerRecorder) headers() []http.Header {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.seen
}

// redirector answers every request with a 307 to target and the request's path.
func redirector(t *testing.T, target string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClientKeepsCredentialsOnTheirOrigin(t *testing.T) {
	other := newHeaderRecorder(t)
	otherPort := other.URL[strings.LastIndex(other.URL, ":"):]
	same := newHeaderRecorder(t)

	tests := []struct {
		name     string
		target   string
		wantCred bool
	}{
		{"another host name", "http://localhost" + otherPort, false},
		{"another port of the same host", other.URL, false},
	}
	for _, tt := range tests {
		from := redirector(t, tt.target)
		client := Client(nil, "X-Api-Token")
		req, _ := http.NewRequest(http.MethodGet, from.URL+"/levels?token=q-secret", nil)
		req.Header.Set("X-Api-Token", "tok-secret")
		req.Header.Set("Authorization", "Bearer bearer-secret")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		resp.Body.Close()
		seen := other.headers()
		got := seen[len(seen)-1]
		for _, h := range []string{"X-Api-Token", "Authorization", "Referer"} {
			if v := got.Get(h); v != "" {
				t.Errorf("%s: the other host got %s: %q", tt.name, h, v)
			}
		}
	}

	// The same origin keeps them: a server that moves a path still gets the credential.
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusFound) })
	mux.Handle("/new", same.Config.Handler)
	sameSrv := httptest.NewServer(mux)
	t.Cleanup(sameSrv.Close)
	// A caller's own policy is replaced, not trusted.
	client := Client(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}, "X-Api-Token")
	req, _ := http.NewRequest(http.MethodGet, sameSrv.URL+"/old", nil)
	req.Header.Set("X-Api-Token", "tok-secret")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	seen := same.headers()
	if len(seen) == 0 || seen[len(seen)-1].Get("X-Api-Token") != "tok-secret" {
		t.Errorf("a redirect on the same origin lost the credential: %v", seen)
	}
}
