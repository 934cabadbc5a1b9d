package controllers

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

var _ = Describe("Admission of bad manifests", func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	DescribeTable("the API server rejects a SalesChannel",
		func(mutate func(*v1alpha1.SalesChannel), want string) {
			ch := salesChannel(ns, "bad", v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip)
			mutate(ch)
			err := k8s.Create(ctx, ch)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(want))
		},
		Entry("with an unknown platform", func(c *v1alpha1.SalesChannel) { c.Spec.Platform = "Amazon" },
			`spec.platform: Unsupported value: "Amazon"`),
		Entry("with an unknown mode", func(c *v1alpha1.SalesChannel) { c.Spec.Inventory.Mode = "Sometimes" },
			`spec.inventory.mode: Unsupported value: "Sometimes"`),
		Entry("with an unknown duplicate-SKU policy", func(c *v1alpha1.SalesChannel) { c.Spec.Inventory.DuplicateSKUs = "Merge" },
			`spec.inventory.duplicateSKUs: Unsupported value: "Merge"`),
		Entry("with an unknown plan", func(c *v1alpha1.SalesChannel) { c.Spec.Connection.Plan = "Gold" },
			`spec.connection.plan: Unsupported value: "Gold"`),
		Entry("with a plan on a Webhook channel", func(c *v1alpha1.SalesChannel) { c.Spec.Platform = v1alpha1.PlatformWebhook },
			"connection.plan applies only to platform Shopify"),
		Entry("with a relative URL", func(c *v1alpha1.SalesChannel) { c.Spec.Connection.URL = "eu-store.myshopify.com" },
			"url must be an absolute http or https URL"),
		Entry("with an ftp URL", func(c *v1alpha1.SalesChannel) { c.Spec.Connection.URL = "ftp://eu-store.myshopify.com" },
			"url must be an absolute http or https URL"),
		Entry("with a variable reference in its URL", func(c *v1alpha1.SalesChannel) {
			c.Spec.Connection.URL = "https://eu-store.myshopify.com/$(CHANNEL_CREDENTIALS)"
		}, `spec.connection.url: Invalid value: "https://eu-store.myshopify.com/$(CHANNEL_CREDENTIALS)": url must not contain '$(': a reference such as $(VAR) is never expanded`),
		Entry("with user info in its URL", func(c *v1alpha1.SalesChannel) {
			c.Spec.Connection.URL = "https://owner:pw-s3cret@eu-store.myshopify.com"
		}, "url must not carry user info"),
		Entry("with a user name in its URL", func(c *v1alpha1.SalesChannel) {
			c.Spec.Connection.URL = "http://hookuser@hooks.example:8080/inventory"
		}, "url must not carry user info"),
		Entry("without a credentials key", func(c *v1alpha1.SalesChannel) { c.Spec.Connection.CredentialsSecretRef.Key = "" },
			"spec.connection.credentialsSecretRef.key"),
		Entry("with an invalid Secret name", func(c *v1alpha1.SalesChannel) { c.Spec.Connection.CredentialsSecretRef.Name = "Not_A_Name" },
			"spec.connection.credentialsSecretRef.name"),
		Entry("without a mode", func(c *v1alpha1.SalesChannel) { c.Spec.Inventory.Mode = "" },
			"spec.inventory.mode"),
		Entry("with a percentage over 100", func(c *v1alpha1.SalesChannel) {
			c.Spec.Inventory.Allocation = &v1alpha1.AllocationRules{Percentage: ptr.To[int64](150)}
		}, "spec.inventory.allocation.percentage"),
		Entry("with a negative buffer", func(c *v1alpha1.SalesChannel) {
			c.Spec.Inventory.Allocation = &v1alpha1.AllocationRules{Buffer: ptr.To[int64](-1)}
		}, "spec.inventory.allocation.buffer"),
		Entry("with a maximum over the quantity bound", func(c *v1alpha1.SalesChannel) {
			c.Spec.Inventory.Allocation = &v1alpha1.AllocationRules{Maximum: ptr.To[int64](2_000_000_000)}
		}, "spec.inventory.allocation.maximum"),
		Entry("with empty allocation rules", func(c *v1alpha1.SalesChannel) {
			c.Spec.Inventory.Allocation = &v1alpha1.AllocationRules{}
		}, "spec.inventory.allocation"),
	)

	DescribeTable("the API server rejects an InventorySync",
		func(mutate func(*v1alpha1.InventorySync), want string) {
			s := inventorySync(ns, "bad", "shopify-eu", every15m())
			mutate(s)
			err := k8s.Create(ctx, s)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(want))
		},
		Entry("with a time zone but no schedule", func(s *v1alpha1.InventorySync) {
			s.Spec.Schedule = nil
			s.Spec.TimeZone = ptr.To("Europe/Berlin")
		}, "timeZone needs a schedule"),
		Entry("suspended without a schedule", func(s *v1alpha1.InventorySync) {
			s.Spec.Schedule = nil
			s.Spec.Suspend = ptr.To(true)
		}, "suspend applies only to a recurring sync"),
		Entry("with an unknown feed format", func(s *v1alpha1.InventorySync) { s.Spec.FulfillmentChannel.Feed.Format = "XML" },
			`spec.fulfillmentChannel.feed.format: Unsupported value: "XML"`),
		Entry("with a feed URL that is not a URL", func(s *v1alpha1.InventorySync) { s.Spec.FulfillmentChannel.Feed.URL = "levels.csv" },
			"url must be an absolute http or https URL"),
		Entry("with a variable reference in its feed URL", func(s *v1alpha1.InventorySync) {
			s.Spec.FulfillmentChannel.Feed.URL = "http://x.invalid/$(CHANNEL_CREDENTIALS)/f.csv"
		}, `spec.fulfillmentChannel.feed.url: Invalid value: "http://x.invalid/$(CHANNEL_CREDENTIALS)/f.csv": url must not contain '$(': a reference such as $(VAR) is never expanded`),
		Entry("with a SalesChannel name that is not a DNS name", func(s *v1alpha1.InventorySync) { s.Spec.SalesChannelRef.Name = "shop%d" },
			"spec.salesChannelRef.name"),
		Entry("with user info in its feed URL", func(s *v1alpha1.InventorySync) {
			s.Spec.FulfillmentChannel.Feed.URL = "https://wms:pw-s3cret@wms.example/levels.csv"
		}, "url must not carry user info"),
		Entry("with user info in one of its feeds' URLs", func(s *v1alpha1.InventorySync) {
			feeds := twoFeeds()
			feeds[1].URL = "http://wms@wms.example/levels.csv?part=2"
			s.Spec.FulfillmentChannel.Feed, s.Spec.FulfillmentChannel.Feeds = nil, feeds
		}, "url must not carry user info"),
		Entry("without a location", func(s *v1alpha1.InventorySync) { s.Spec.FulfillmentChannel.LocationID = "" },
			"spec.fulfillmentChannel.locationID"),
		Entry("with a name too long for its CronJob", func(s *v1alpha1.InventorySync) { s.Name = strings.Repeat("a", 53) },
			"name must be at most 52 characters"),
		Entry("with a negative history limit", func(s *v1alpha1.InventorySync) { s.Spec.FailedRunsHistoryLimit = ptr.To[int32](-1) },
			"spec.failedRunsHistoryLimit"),
		Entry("with an empty schedule", func(s *v1alpha1.InventorySync) { s.Spec.Schedule = ptr.To("") },
			"spec.schedule"),
		Entry("with a run timeout under a second", func(s *v1alpha1.InventorySync) {
			s.Spec.RunTimeout = &metav1.Duration{Duration: 500 * time.Millisecond}
		}, "runTimeout must be at least 1s"),
		Entry("with both feed and feeds", func(s *v1alpha1.InventorySync) {
			s.Spec.FulfillmentChannel.Feeds = twoFeeds()
		}, "set exactly one of feed and feeds"),
		Entry("with neither feed nor feeds", func(s *v1alpha1.InventorySync) { s.Spec.FulfillmentChannel.Feed = nil },
			"set exactly one of feed and feeds"),
		Entry("with a single entry in feeds", func(s *v1alpha1.InventorySync) {
			s.Spec.FulfillmentChannel.Feed, s.Spec.FulfillmentChannel.Feeds = nil, twoFeeds()[:1]
		}, "spec.fulfillmentChannel.feeds"),
		Entry("with two feeds of one name", func(s *v1alpha1.InventorySync) {
			feeds := twoFeeds()
			feeds[1].Name = feeds[0].Name
			s.Spec.FulfillmentChannel.Feed, s.Spec.FulfillmentChannel.Feeds = nil, feeds
		}, "Duplicate value"),
		Entry("with a feed name that is not a DNS label", func(s *v1alpha1.InventorySync) {
			feeds := twoFeeds()
			feeds[1].Name = "Hamburg Nord"
			s.Spec.FulfillmentChannel.Feed, s.Spec.FulfillmentChannel.Feeds = nil, feeds
		}, "spec.fulfillmentChannel.feeds[1].name"),
		Entry("with a variable reference in one of its feeds' URLs", func(s *v1alpha1.InventorySync) {
			feeds := twoFeeds()
			feeds[1].URL = "http://x.invalid/$(CHANNEL_CREDENTIALS)"
			s.Spec.FulfillmentChannel.Feed, s.Spec.FulfillmentChannel.Feeds = nil, feeds
		}, "is never expanded"),
		Entry("with a percentage over 100 of its own", func(s *v1alpha1.InventorySync) {
			s.Spec.Allocation = &v1alpha1.AllocationRules{Percentage: ptr.To[int64](101)}
		}, "spec.allocation.percentage"),
	)

	It("admits several feeds and allocation rules", func() {
		ch := salesChannel(ns, "rules", v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip)
		ch.Spec.Inventory.Allocation = &v1alpha1.AllocationRules{Buffer: ptr.To[int64](5), Percentage: ptr.To[int64](50)}
		Expect(k8s.Create(ctx, ch)).To(Succeed())
		s := inventorySync(ns, "summed", "rules", every15m())
		s.Spec.FulfillmentChannel.Feed, s.Spec.FulfillmentChannel.Feeds = nil, twoFeeds()
		s.Spec.Allocation = &v1alpha1.AllocationRules{Maximum: ptr.To[int64](0)}
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Expect(s.Spec.FulfillmentChannel.Feeds[1].Format).To(Equal(v1alpha1.FeedFormatCSV))
	})

	It("admits an @ after a URL's host", func() {
		ch := salesChannel(ns, "at-sign", v1alpha1.ModeRealTimeAdjustment, v1alpha1.DuplicateSKUsSkip)
		ch.Spec.Connection.URL = "https://hooks.example/team@retail/inventory"
		Expect(k8s.Create(ctx, ch)).To(Succeed())
		s := inventorySync(ns, "at-sign", ch.Name, every15m())
		s.Spec.FulfillmentChannel.Feed.URL = "https://wms.example/levels.csv?owner=ops@retail.example"
		Expect(k8s.Create(ctx, s)).To(Succeed())
	})

	It("rejects changes that would turn a sync into another one", func() {
		s := inventorySync(ns, "fixed", "shopify-eu", every15m())
		Expect(k8s.Create(ctx, s)).To(Succeed())

		moved := s.DeepCopy()
		moved.Spec.SalesChannelRef.Name = "shopify-us"
		err := k8s.Patch(ctx, moved, client.MergeFrom(s))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("salesChannelRef is immutable"))

		oneOff := s.DeepCopy()
		oneOff.Spec.Schedule = nil
		err = k8s.Patch(ctx, oneOff, client.MergeFrom(s))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("schedule cannot be added to or removed"))
	})

	It("defaults the duplicate-SKU policy, the feed format and the history limits", func() {
		ch := salesChannel(ns, "defaults", v1alpha1.ModeRealTimeAdjustment, "")
		Expect(k8s.Create(ctx, ch)).To(Succeed())
		Expect(ch.Spec.Inventory.DuplicateSKUs).To(Equal(v1alpha1.DuplicateSKUsSkip))

		s := inventorySync(ns, "defaults", "defaults", every15m())
		s.Spec.FulfillmentChannel.Feed.Format = ""
		Expect(k8s.Create(ctx, s)).To(Succeed())
		Expect(s.Spec.FulfillmentChannel.Feed.Format).To(Equal(v1alpha1.FeedFormatCSV))
		Expect(*s.Spec.SuccessfulRunsHistoryLimit).To(BeEquivalentTo(3))
		Expect(*s.Spec.FailedRunsHistoryLimit).To(BeEquivalentTo(3))
	})
})

func twoFeeds() []v1alpha1.NamedFeedSource {
	return []v1alpha1.NamedFeedSource{
		{Name: "berlin", FeedSource: v1alpha1.FeedSource{URL: "http://wms.retail.svc/berlin", Format: v1alpha1.FeedFormatJSON}},
		{Name: "hamburg", FeedSource: v1alpha1.FeedSource{URL: "http://wms.retail.svc/hamburg"}},
	}
}
