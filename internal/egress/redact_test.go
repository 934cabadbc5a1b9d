package egress

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://wms.example/levels", "https://wms.example/levels"},
		{"https://u:p@wms.example/levels?token=x&b=y#frag", "https://wms.example/levels?b=REDACTED&token=REDACTED"},
		{"https://storage.googleapis.com/b/o.jsonl?X-Goog-Signature=abc123&X-Goog-Credential=sa%40p.iam",
			"https://storage.googleapis.com/b/o.jsonl?X-Goog-Credential=REDACTED&X-Goog-Signature=REDACTED"},
		{"http://host/path?", "http://host/path"},
		{"http://wms.retail.svc:8080/a/b.csv.gz", "http://wms.retail.svc:8080/a/b.csv.gz"},
		{"://bad", "(unparsable URL)"},
		{"http://[::1", "(unparsable URL)"},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"url.Error", `Get "https://u:pw@store.example/f.csv?sig=s3cr3t": dial tcp: connection refused`, nil,
			`Get "https://store.example/f.csv?sig=REDACTED": dial tcp: connection refused`},
		{"two URLs", "from http://a.example/?k=1 to https://b.example/x?k=2 failed", nil,
			"from http://a.example/?k=REDACTED to https://b.example/x?k=REDACTED failed"},
		{"secret in a body", "HTTP 401: token shpat_abc is not valid", []string{"shpat_abc", ""},
			"HTTP 401: token REDACTED is not valid"},
		{"punctuation after a URL", "webhook levels/set at http://u:pw@h.example:8080: refused (see https://h.example/?k=v).", nil,
			"webhook levels/set at http://h.example:8080: refused (see https://h.example/?k=REDACTED)."},
		{"nothing to hide", "HTTP 500: try later", nil, "HTTP 500: try later"},
	}
	for _, tt := range tests {
		if got := Text(tt.in, tt.secrets...); got != tt.want {
			t.Errorf("%s: Text(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestErrorKeepsTheChainAndHidesTheURL(t *testing.T) {
	if Error(nil) != nil {
		t.Fatal("Error(nil) is not nil")
	}
	inner := &url.Error{Op: "Get", URL: "https://h.example/r?X-Goog-Signature=deadbeef", Err: context.DeadlineExceeded}
	err := Error(fmt.Errorf("downloading: %w", inner), "deadbeef")
	if strings.Contains(err.Error(), "deadbeef") {
		t.Errorf("message %q shows the signature", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("the redacted error no longer is what it wraps")
	}
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		t.Error("errors.As no longer finds the *url.Error")
	}
}

func TestCheckRedirectStopsAfterTen(t *testing.T) {
	check := CheckRedirect()
	req, _ := http.NewRequest(http.MethodGet, "http://a.example/", nil)
	via := make([]*http.Request, 10)
	for i := range via {
		via[i] = req
	}
	if err := check(req, via); err == nil {
		t.Error("an eleventh redirect is followed")
	}
}

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"http://h.example/a", "http://h.example/b?x=1", true},
		{"http://h.example/a", "http://H.EXAMPLE:80/b", true},
		{"https://h.example/a", "http://h.example/a", false},
		{"http://h.example/a", "http://h.example:8080/a", false},
		{"http://h.example/a", "http://evil.example/a", false},
		{"http://127.0.0.1:1/a", "http://localhost:1/a", false},
	}
	for _, tt := range tests {
		a, _ := http.NewRequest(http.MethodGet, tt.a, nil)
		b, _ := http.NewRequest(http.MethodGet, tt.b, nil)
		if got := sameOrigin(a, b); got != tt.want {
			t.Errorf("sameOrigin(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
