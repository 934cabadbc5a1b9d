package workload

import (
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func TestARunNeverCarriesAnOperatorSecret(t *testing.T) {
	if err := CheckSecrets(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip)); err != nil {
		t.Fatalf("an ordinary run is refused: %v", err)
	}
	asChannel := run(v1alpha1.PlatformWebhook, v1alpha1.DuplicateSKUsSkip)
	ch := asChannel.Channel.DeepCopy()
	ch.Spec.Connection.CredentialsSecretRef = v1alpha1.SecretKeySelector{Name: v1alpha1.RelayTokensSecret, Key: "tokens"}
	asChannel.Channel = ch
	asFeed := withFeeds(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip),
		v1alpha1.NamedFeedSource{Name: "berlin", FeedSource: v1alpha1.FeedSource{URL: "http://wms/a"}},
		v1alpha1.NamedFeedSource{Name: "hamburg", FeedSource: v1alpha1.FeedSource{URL: "http://tenant.example/b",
			BearerTokenSecretRef: &v1alpha1.SecretKeySelector{Name: v1alpha1.RelayTLSSecret, Key: "tls.key"}}})
	for name, r := range map[string]Run{"channel credential": asChannel, "feed token": asFeed} {
		err := CheckSecrets(r)
		if err == nil || !strings.Contains(err.Error(), "operator's own") {
			t.Errorf("%s naming an operator Secret: error %v", name, err)
		}
	}
}
