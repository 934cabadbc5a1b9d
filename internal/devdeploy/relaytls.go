package devdeploy

import (
	"net"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/internal/devcluster"
)

// RelayHost is the relay Service's name in namespace, as its certificate names it.
func RelayHost(namespace string) string { return RelayService + "." + namespace + ".svc" }

// RelaySecrets are the Secrets the relay's Deployment mounts: the accepted bearer token and a
// self-signed serving certificate for the relay Service's names and ips. certPEM is also the
// CA a client trusts.
func RelaySecrets(namespace, token string, ips ...net.IP) (secrets []*corev1.Secret, certPEM []byte, err error) {
	certPEM, keyPEM, err := devcluster.SelfSignedServingCert([]string{
		RelayHost(namespace), RelayService, RelayService + "." + namespace, RelayHost(namespace) + ".cluster.local",
	}, ips...)
	if err != nil {
		return nil, nil, err
	}
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
