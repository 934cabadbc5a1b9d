package devdeploy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RelayHost is the relay Service's name in namespace, as its certificate names it.
func RelayHost(namespace string) string { return RelayService + "." + namespace + ".svc" }

// RelaySecrets are the Secrets the relay's Deployment mounts: the accepted bearer token and a
// self-signed serving certificate for the relay Service's names. certPEM is also the CA a
// client trusts.
func RelaySecrets(namespace, token string) (secrets []*corev1.Secret, certPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: RelayHost(namespace)},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{RelayService, RelayService + "." + namespace, RelayHost(namespace), RelayHost(namespace) + ".cluster.local"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	return []*corev1.Secret{
		{
			ObjectMeta: metav1.ObjectMeta{Name: RelayTokensSecret, Namespace: namespace},
			StringData: map[string]string{"tokens": token + "\n"},
		},
		{
			ObjectMeta: metav1.ObjectMeta{Name: RelayTLSSecret, Namespace: namespace},
			Type:       corev1.SecretTypeTLS,
			Data:       map[string][]byte{corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM},
		},
	}, certPEM, nil
}
