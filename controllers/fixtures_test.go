package controllers

import (
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func salesChannel(ns, name string, mode v1alpha1.InventoryMode, dup v1alpha1.DuplicateSKUPolicy) *v1alpha1.SalesChannel {
	return &v1alpha1.SalesChannel{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.SalesChannelSpec{
			Platform: v1alpha1.PlatformShopify,
			Connection: v1alpha1.ChannelConnection{
				URL:                  "https://eu-store.myshopify.com",
				CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: name + "-admin", Key: "token"},
				Plan:                 v1alpha1.PlanStandard,
			},
			Inventory: v1alpha1.InventoryPolicy{Mode: mode, DuplicateSKUs: dup},
		},
	}
}

func credentials(ns, name string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Data:       map[string][]byte{"token": []byte("shpat_secret_value")},
	}
}

func inventorySync(ns, name, channel string, schedule *string) *v1alpha1.InventorySync {
	return &v1alpha1.InventorySync{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.InventorySyncSpec{
			SalesChannelRef: v1alpha1.LocalObjectReference{Name: channel},
			FulfillmentChannel: v1alpha1.FulfillmentChannel{
				Name:       "warehouse-berlin",
				Feed:       &v1alpha1.FeedSource{URL: "http://wms.retail.svc/levels", Format: v1alpha1.FeedFormatCSV},
				LocationID: "gid://shopify/Location/123",
			},
			Schedule: schedule,
		},
	}
}

// readyChannel creates a channel with its credentials.
func readyChannel(ns, name string, mode v1alpha1.InventoryMode) *v1alpha1.SalesChannel {
	ch := salesChannel(ns, name, mode, v1alpha1.DuplicateSKUsSkip)
	Expect(k8s.Create(ctx, credentials(ns, name+"-admin"))).To(Succeed())
	Expect(k8s.Create(ctx, ch)).To(Succeed())
	return ch
}

func every15m() *string { return ptr.To("*/15 * * * *") }

// condition returns a getter of one condition of an object, for Eventually.
func condition(obj client.Object, conds func() []metav1.Condition, typ string) func(g Gomega) *metav1.Condition {
	return func(g Gomega) *metav1.Condition {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		return meta.FindStatusCondition(conds(), typ)
	}
}

// haveCondition matches a condition's status and reason.
func haveCondition(status metav1.ConditionStatus, reason string) OmegaMatcher {
	return And(Not(BeNil()), WithTransform(func(c *metav1.Condition) metav1.ConditionStatus { return c.Status }, Equal(status)),
		WithTransform(func(c *metav1.Condition) string { return c.Reason }, Equal(reason)))
}
