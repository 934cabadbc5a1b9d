package devcluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki holds the files of the cluster's throwaway credentials, made fresh on every start.
type pki struct {
	CAFile, ServingCertFile, ServingKeyFile string
	ServiceAccountKeyFile                   string
	AdminCertFile, AdminKeyFile             string
	// Admin client certificate (group system:masters), PEM.
	AdminCert, AdminKey, CA []byte
}

func newPKI(dir string) (*pki, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "devcluster-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	issue := func(serial int64, subject pkix.Name, usage x509.ExtKeyUsage, hosts []string, ips []net.IP) (certPEM, keyPEM []byte, err error) {
		return newKeyPair(leafTemplate(serial, subject, usage, hosts, ips, now), caCert, caKey)
	}
	servingCert, servingKey, err := issue(2, pkix.Name{CommonName: "kube-apiserver"}, x509.ExtKeyUsageServerAuth,
		[]string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		[]net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(10, 0, 0, 1), net.ParseIP(GatewayIP)})
	if err != nil {
		return nil, fmt.Errorf("serving certificate: %w", err)
	}
	adminCert, adminKey, err := issue(3, pkix.Name{CommonName: "dev-admin", Organization: []string{"system:masters"}},
		x509.ExtKeyUsageClientAuth, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("admin certificate: %w", err)
	}
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	saKeyDER, err := x509.MarshalECPrivateKey(saKey)
	if err != nil {
		return nil, err
	}
	p := &pki{
		CAFile:                filepath.Join(dir, "ca.crt"),
		ServingCertFile:       filepath.Join(dir, "apiserver.crt"),
		ServingKeyFile:        filepath.Join(dir, "apiserver.key"),
		ServiceAccountKeyFile: filepath.Join(dir, "service-account.key"),
		AdminCertFile:         filepath.Join(dir, "admin.crt"),
		AdminKeyFile:          filepath.Join(dir, "admin.key"),
		AdminCert:             adminCert,
		AdminKey:              adminKey,
		CA:                    pemBlock("CERTIFICATE", caDER),
	}
	files := map[string][]byte{
		p.CAFile:                p.CA,
		p.ServingCertFile:       servingCert,
		p.ServingKeyFile:        servingKey,
		p.ServiceAccountKeyFile: pemBlock("EC PRIVATE KEY", saKeyDER),
		p.AdminCertFile:         adminCert,
		p.AdminKeyFile:          adminKey,
	}
	for path, data := range files {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// leafTemplate is a certificate for hosts and ips, valid from an hour before now for a week.
func leafTemplate(serial int64, subject pkix.Name, usage x509.ExtKeyUsage, hosts []string, ips []net.IP, now time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      subject,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		DNSNames:     hosts,
		IPAddresses:  ips,
	}
}

// SelfSignedServingCert is a serving certificate for hosts and ips that is its own CA: a
// client trusts certPEM. PEM encoded.
func SelfSignedServingCert(hosts []string, ips ...net.IP) (certPEM, keyPEM []byte, err error) {
	now := time.Now()
	tmpl := leafTemplate(now.UnixNano(), pkix.Name{CommonName: hosts[0]}, x509.ExtKeyUsageServerAuth, hosts, ips, now)
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage |= x509.KeyUsageCertSign
	return newKeyPair(tmpl, nil, nil)
}

// newKeyPair makes a key and its certificate from tmpl, signed by parent's key, or by
// itself when parent is nil. PEM encoded.
func newKeyPair(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pemBlock("CERTIFICATE", der), pemBlock("EC PRIVATE KEY", keyDER), nil
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}
