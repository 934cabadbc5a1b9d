package devcluster

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"testing"
)

func TestSelfSignedServingCertIsTrustedForItsHosts(t *testing.T) {
	certPEM, keyPEM, err := SelfSignedServingCert([]string{"relay.shop.svc", "relay"}, net.ParseIP("10.0.0.7"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatalf("key pair: %v", err)
	}
	block, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	// A Service's ClusterIP is verified like a name, as a client dialing https://IP does.
	for _, host := range []string{"relay.shop.svc", "relay", "10.0.0.7"} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: host, Roots: roots}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	for _, host := range []string{"other.svc", "10.0.0.8"} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: host, Roots: roots}); err == nil {
			t.Errorf("trusted for %s, which it does not name", host)
		}
	}
}
