package egress

import (
	"errors"
	"net/http"
	"strings"
)

// maxRedirects is how many redirects a request follows, as Go's default policy allows.
const maxRedirects = 10

// CheckRedirect returns an http.Client CheckRedirect policy for requests that carry
// credentials in credentialHeaders. A request other than GET or HEAD (every write, and
// every GraphQL or webhook call, is a POST) is never redirected: the client returns the 3xx
// answer as it is, so a server cannot have the request's body, or its signature, resent to
// an address of its choosing (a 307 or 308 resends both). A redirect of a GET that keeps the
// original request's scheme, host and port keeps the credentials. A redirect anywhere else is
// followed without them, without Authorization, Cookie and Referer (whose URL may hold a
// token in its query): Go's own policy drops Authorization only when the host name changes,
// and copies every other header, such as X-Shopify-Access-Token, to whatever host a server
// names.
func CheckRedirect(credentialHeaders ...string) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && via[0].Method != http.MethodGet && via[0].Method != http.MethodHead {
			return http.ErrUseLastResponse
		}
		if len(via) >= maxRedirects {
			return errors.New("stopped after 10 redirects")
		}
		if len(via) > 0 && !sameOrigin(via[0], req) {
			for _, h := range append([]string{"Authorization", "Cookie", "Referer"}, credentialHeaders...) {
				req.Header.Del(h)
			}
		}
		return nil
	}
}

// sameOrigin reports whether two requests go to the same scheme, host and port.
func sameOrigin(a, b *http.Request) bool {
	return strings.EqualFold(a.URL.Scheme, b.URL.Scheme) &&
		strings.EqualFold(hostPort(a), hostPort(b))
}

// hostPort is the request's host with its port made explicit, so that a redirect from
// http://h to http://h:80 counts as the same origin.
func hostPort(r *http.Request) string {
	port := r.URL.Port()
	if port == "" {
		switch strings.ToLower(r.URL.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return r.URL.Hostname() + ":" + port
}

// Client returns a copy of c, or of http.DefaultClient when c is nil, whose redirects follow
// CheckRedirect(credentialHeaders...). It replaces c's own CheckRedirect: no policy of a
// caller may forward credentials across hosts.
func Client(c *http.Client, credentialHeaders ...string) *http.Client {
	if c == nil {
		c = http.DefaultClient
	}
	out := *c
	out.CheckRedirect = CheckRedirect(credentialHeaders...)
	return &out
}
