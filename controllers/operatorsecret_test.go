package controllers

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

var _ = Describe("The operator's own Secrets", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	channelConds := func(ch *v1alpha1.SalesChannel) func() []metav1.Condition {
		return func() []metav1.Condition { return ch.Status.Conditions }
	}
	syncConds := func(s *v1alpha1.InventorySync) func() []metav1.Condition {
		return func() []metav1.Condition { return s.Status.Conditions }
	}
	relayTokens := func() {
		Expect(k8s.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.RelayTokensSecret},
			Data:       map[string][]byte{"tokens": []byte("relay-bearer-token")},
		})).To(Succeed())
	}

	It("are refused as a channel's credentials, with a condition saying why", func() {
		relayTokens()
		ch := salesChannel(ns, "exfil", v1alpha1.ModeSynchronizeWithFulfillmentChannel, v1alpha1.DuplicateSKUsSkip)
		ch.Spec.Connection.CredentialsSecretRef = v1alpha1.SecretKeySelector{Name: v1alpha1.RelayTokensSecret, Key: "tokens"}
		Expect(k8s.Create(ctx, ch)).To(Succeed())
		Eventually(condition(ch, channelConds(ch), v1alpha1.ConditionReady)).Should(And(
			haveCondition(metav1.ConditionFalse, v1alpha1.ReasonOperatorSecret),
			HaveField("Message", ContainSubstring("operator's own"))))

		By("no run of a sync on that channel starts")
		s := inventorySync(ns, "exfil-once", ch.Name, nil)
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, syncConds(s), v1alpha1.ConditionReady)).Should(haveCondition(metav1.ConditionFalse, v1alpha1.ReasonOperatorSecret))
		Expect(jobsOf(ns, s.Name)).To(BeEmpty())
	})

	It("are refused as a feed's bearer token when labelled so, and a sales-channel manual sync skips that sync", func() {
		Expect(k8s.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "prod-relay-tokens", Labels: map[string]string{v1alpha1.LabelOperatorSecret: "true"}},
			Data:       map[string][]byte{"tokens": []byte("relay-bearer-token")},
		})).To(Succeed())
		ch := readyChannel(ns, "shop", v1alpha1.ModeSynchronizeWithFulfillmentChannel)
		s := inventorySync(ns, "exfil", ch.Name, every15m())
		s.Spec.FulfillmentChannel.Feed.URL = "https://tenant.example/levels.csv"
		s.Spec.FulfillmentChannel.Feed.BearerTokenSecretRef = &v1alpha1.SecretKeySelector{Name: "prod-relay-tokens", Key: "tokens"}
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Eventually(condition(s, syncConds(s), v1alpha1.ConditionReady)).Should(And(
			haveCondition(metav1.ConditionFalse, v1alpha1.ReasonOperatorSecret),
			HaveField("Message", ContainSubstring(v1alpha1.LabelOperatorSecret))))
		// The reconcile that set the condition would have made the CronJob first.
		Expect(apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: workload.CronJobName(s.Name)}, &batchv1.CronJob{}))).
			To(BeTrue(), "a CronJob carrying the operator's Secret was rendered")

		requestSync(ch, "2026-12-06T10:00:00Z")
		Eventually(func(g Gomega) string {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(ch), ch)).To(Succeed())
			return ch.Status.LastHandledSyncRequest
		}).Should(Equal("2026-12-06T10:00:00Z"))
		Expect(jobsOf(ns, s.Name)).To(BeEmpty())
	})
})
