package egress

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/internal/egress/egresstest"
)

func TestClientKeepsCredentialsOnTheirOrigin(t *testing.T) {
	elsewhere := egresstest.NewElsewhere(t)
	for _, target := range elsewhere.Origins() {
		from := egresstest.Redirector(t, target, http.StatusTemporaryRedirect)
		req, _ := http.NewRequest(http.MethodGet, from.URL+"/levels?token=q-secret", nil)
		req.Header.Set("X-Api-Token", "tok-secret")
		req.Header.Set("Authorization", "Bearer bearer-secret")
		resp, err := Client(nil, "X-Api-Token").Do(req)
		if err != nil {
			t.Fatalf("redirect to %s: %v", target, err)
		}
		resp.Body.Close()
	}
	elsewhere.AssertNotSent(t, 2, "X-Api-Token", "Authorization", "Referer")
}

func TestClientKeepsCredentialsOnARedirectWithinTheOrigin(t *testing.T) {
	var got string
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusFound) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { got = r.Header.Get("X-Api-Token") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	// A caller's own policy is replaced, not trusted.
	client := Client(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}, "X-Api-Token")
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/old", nil)
	req.Header.Set("X-Api-Token", "tok-secret")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "tok-secret" {
		t.Errorf("a redirect within the origin lost the credential: %q", got)
	}
}

// A 307 or 308 resends a POST's body to wherever the server points: a POST is never
// redirected, not even within its origin, and its caller sees the 3xx.
func TestClientNeverRedirectsAPost(t *testing.T) {
	elsewhere := egresstest.NewElsewhere(t)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, target := range elsewhere.Origins() {
			from := egresstest.Redirector(t, target, status)
			req, _ := http.NewRequest(http.MethodPost, from.URL+"/levels/set", strings.NewReader(`{"items":[]}`))
			resp, err := Client(nil).Do(req)
			if err != nil {
				t.Fatalf("POST answered %d: %v", status, err)
			}
			resp.Body.Close()
			if resp.StatusCode != status {
				t.Errorf("POST answered %d: the client returned %d, want the redirect itself", status, resp.StatusCode)
			}
		}
	}
	elsewhere.AssertNotSent(t, 0)
}
