package inventoryctl

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Keys of the Secret --relay-secret names.
const (
	secretKeyURL   = "url"
	secretKeyToken = "token"
	secretKeyCA    = "ca.crt"
)

// tokenEnv holds the relay's bearer token when no flag gives it.
const tokenEnv = "INVENTORY_RELAY_TOKEN"

// relayOptions say where the relay is and how to reach it.
type relayOptions struct {
	url, token, tokenFile, caFile string
	secret                        string
	requestTimeout                time.Duration
	// ca is the CA bundle read from the Secret.
	ca []byte
}

func (r *relayOptions) flags(f *pflag.FlagSet) {
	f.StringVar(&r.url, "url", "", "the relay's base URL, for example https://localhost:8443 through `kubectl port-forward svc/inventory-relay 8443`")
	f.StringVar(&r.token, "token", "", "bearer token (prefer --token-file or $"+tokenEnv+", which stay out of your shell history)")
	f.StringVar(&r.tokenFile, "token-file", "", "file holding the bearer token")
	f.StringVar(&r.caFile, "ca-file", "", "CA bundle the relay's certificate is checked against (default: the system's)")
	f.StringVar(&r.secret, "relay-secret", "", "Secret in the namespace with the keys url, token and ca.crt; flags override its values")
	f.DurationVar(&r.requestTimeout, "request-timeout", 2*time.Minute, "longest wait for the relay's answer (it answers once the channels have, or after its --response-timeout)")
}

// fromSecret fills what the flags left empty from the Secret.
func (r *relayOptions) fromSecret(ctx context.Context, k *kube) error {
	var s corev1.Secret
	if err := k.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: r.secret}, &s); err != nil {
		return explain(err, "get", "secrets", k.namespace, r.secret)
	}
	if r.url == "" {
		r.url = string(s.Data[secretKeyURL])
	}
	if r.token == "" && r.tokenFile == "" {
		r.token = string(s.Data[secretKeyToken])
	}
	if r.caFile == "" {
		r.ca = s.Data[secretKeyCA]
	}
	return nil
}

// relayClient posts to one relay.
type relayClient struct {
	base  *url.URL
	token string
	http  *http.Client
}

func (r *relayOptions) client(namespace string) (*relayClient, error) {
	where := "--url"
	if r.secret != "" {
		where = fmt.Sprintf("--url, or the key %q of Secret %s/%s", secretKeyURL, namespace, r.secret)
	}
	if r.url == "" {
		return nil, fmt.Errorf("the relay's URL is missing: give %s (through `kubectl port-forward -n NAMESPACE svc/inventory-relay 8443`, https://localhost:8443)", where)
	}
	base, err := url.Parse(strings.TrimSpace(r.url))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("the relay's URL %q is not an absolute http or https URL", r.url)
	}
	token := strings.TrimSpace(r.token)
	if r.tokenFile != "" {
		b, err := os.ReadFile(r.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("reading --token-file: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		token = strings.TrimSpace(os.Getenv(tokenEnv))
	}
	if token == "" {
		return nil, fmt.Errorf("the relay needs a bearer token: give --token-file, --token, $%s, or a Secret with the key %q (--relay-secret); the relay accepts the tokens of its Secret inventory-relay-tokens", tokenEnv, secretKeyToken)
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	ca := r.ca
	if r.caFile != "" {
		if ca, err = os.ReadFile(r.caFile); err != nil {
			return nil, fmt.Errorf("reading --ca-file: %w", err)
		}
	}
	if len(ca) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("the CA bundle holds no PEM certificate")
		}
		tlsConfig.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConfig
	return &relayClient{base: base, token: token, http: &http.Client{Transport: transport, Timeout: r.requestTimeout}}, nil
}

// send posts the events and prints the answer.
func (c *relayClient) send(ctx context.Context, w io.Writer, events []json.RawMessage) error {
	body, err := json.Marshal(relayRequest{Events: events})
	if err != nil {
		return err
	}
	resp, status, header, err := c.do(ctx, http.MethodPost, "/v1/events", body)
	if err != nil {
		return err
	}
	switch status {
	case http.StatusOK, http.StatusBadRequest, http.StatusTooManyRequests:
	default:
		return refusal(status, header, resp)
	}
	notThrough := printResults(w, resp)
	if status == http.StatusTooManyRequests {
		return fmt.Errorf("the relay throttled some events (a channel location's queue was full): send the same events again after %s; the others are recognised by id and not applied twice", retryAfter(header))
	}
	if notThrough > 0 {
		return &exitError{code: exitFailed, msg: fmt.Sprintf("%d results did not go through", notThrough)}
	}
	return nil
}

// outcomes reads what became of accepted events.
func (c *relayClient) outcomes(ctx context.Context, w io.Writer, ids []string) error {
	all := &relayResponse{}
	for _, id := range ids {
		resp, status, header, err := c.do(ctx, http.MethodGet, "/v1/events/"+url.PathEscape(id), nil)
		if err != nil {
			return err
		}
		switch status {
		case http.StatusOK:
			all.Results = append(all.Results, resp.Results...)
		case http.StatusNotFound:
			all.Errors = append(all.Errors, relayEventError{Index: len(all.Results), ID: id, Reason: resp.Message})
		default:
			return refusal(status, header, resp)
		}
	}
	if n := printResults(w, all); n > 0 {
		return &exitError{code: exitFailed, msg: fmt.Sprintf("%d results did not go through", n)}
	}
	return nil
}

// do makes one request and decodes the relay's JSON answer.
func (c *relayClient) do(ctx context.Context, method, path string, body []byte) (*relayResponse, int, http.Header, error) {
	u := c.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("the relay at %s did not answer: %w; check the URL, the port-forward, and --ca-file for its certificate", c.base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("reading the relay's answer: %w", err)
	}
	var out relayResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, 0, nil, fmt.Errorf("the relay at %s answered %s with something other than its JSON (%.200q): is the URL the relay's?", c.base, resp.Status, data)
	}
	return &out, resp.StatusCode, resp.Header, nil
}

// refusal says why the relay refused a whole request, and what to do.
func refusal(status int, header http.Header, resp *relayResponse) error {
	switch status {
	case http.StatusUnauthorized:
		return fmt.Errorf("the relay refused the bearer token (401): use one listed in its Secret inventory-relay-tokens")
	case http.StatusRequestEntityTooLarge:
		return fmt.Errorf("the relay refused the request as too large (413: %s): split the events into smaller files", resp.Message)
	case http.StatusServiceUnavailable:
		return fmt.Errorf("the relay cannot take events now (503: %s): nothing was taken; send again after %s", resp.Message, retryAfter(header))
	}
	return fmt.Errorf("the relay answered %d %s: %s", status, http.StatusText(status), resp.Message)
}

func retryAfter(h http.Header) string {
	if v := h.Get("Retry-After"); v != "" {
		return v + "s"
	}
	return "a moment"
}
