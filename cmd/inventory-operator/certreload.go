package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// certReloader serves the relay's TLS certificate from its files and reads them again when
// either changes, so a certificate renewed in its Secret (by cert-manager, say) is served
// without a restart. The files are checked at most once per interval, on a handshake.
type certReloader struct {
	certFile, keyFile string
	interval          time.Duration
	now               func() time.Time

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string
	checked time.Time
}

func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, interval: 10 * time.Second, now: time.Now}
	if err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// stampOf identifies the files' versions: their sizes and modification times.
func (r *certReloader) stampOf() (string, error) {
	var stamp string
	for _, f := range []string{r.certFile, r.keyFile} {
		fi, err := os.Stat(f)
		if err != nil {
			return "", err
		}
		stamp += fmt.Sprintf("%s:%d:%d;", f, fi.Size(), fi.ModTime().UnixNano())
	}
	return stamp, nil
}

func (r *certReloader) reload() error {
	stamp, err := r.stampOf()
	if err != nil {
		return fmt.Errorf("reading the TLS certificate: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("reading the TLS certificate: %w", err)
	}
	r.cert, r.stamp = &cert, stamp
	return nil
}

// GetCertificate is the server's tls.Config.GetCertificate. A pair that cannot be read (a
// Secret being rewritten, a key that does not match yet) keeps the certificate served so far.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); now.Sub(r.checked) >= r.interval {
		r.checked = now
		if stamp, err := r.stampOf(); err == nil && stamp != r.stamp {
			_ = r.reload()
		}
	}
	return r.cert, nil
}
