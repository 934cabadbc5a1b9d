package workload

import (
	"flag"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/policy"
	"github.com/techoms/inventory-operator/internal/syncpod"
)

func run(platform v1alpha1.Platform, dup v1alpha1.DuplicateSKUPolicy) Run {
	return Run{
		Sync: &v1alpha1.InventorySync{
			ObjectMeta: metav1.ObjectMeta{Name: "berlin", Namespace: "retail"},
			Spec: v1alpha1.InventorySyncSpec{
				FulfillmentChannel: v1alpha1.FulfillmentChannel{Name: "wh", LocationID: "loc",
					Feed: &v1alpha1.FeedSource{URL: "http://wms/levels"}},
				Schedule:   ptr.To("0 * * * *"),
				RunTimeout: &metav1.Duration{Duration: 10 * time.Minute},
			},
		},
		Channel: &v1alpha1.SalesChannel{Spec: v1alpha1.SalesChannelSpec{
			Platform:   platform,
			Connection: v1alpha1.ChannelConnection{URL: "https://c", CredentialsSecretRef: v1alpha1.SecretKeySelector{Name: "s", Key: "k"}},
			Inventory:  v1alpha1.InventoryPolicy{Mode: v1alpha1.ModeRealTimeAdjustment, DuplicateSKUs: dup},
		}},
		Image:    "img",
		Trigger:  v1alpha1.TriggerFulfillmentRecurring,
		Strategy: v1alpha1.StrategyIncremental,
	}
}

func withInventory(r Run, quantity v1alpha1.QuantityName, stock bool) Run {
	ch := r.Channel.DeepCopy()
	ch.Spec.Inventory.QuantityName, ch.Spec.Inventory.StockUnstockedItems = quantity, stock
	r.Channel = ch
	return r
}

func withAllocation(r Run, channelRules, syncRules *v1alpha1.AllocationRules) Run {
	ch, sync := r.Channel.DeepCopy(), r.Sync.DeepCopy()
	ch.Spec.Inventory.Allocation, sync.Spec.Allocation = channelRules, syncRules
	r.Channel, r.Sync = ch, sync
	return r
}

func withFeeds(r Run, feeds ...v1alpha1.NamedFeedSource) Run {
	sync := r.Sync.DeepCopy()
	sync.Spec.FulfillmentChannel.Feed, sync.Spec.FulfillmentChannel.Feeds = nil, feeds
	r.Sync = sync
	return r
}

func TestJobTemplateArguments(t *testing.T) {
	tests := []struct {
		name     string
		run      Run
		want     []string
		wantNone []string
	}{
		{"shopify defaults the plan, the feed format and the quantity", run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsUpdateAll),
			[]string{"sync", "--shopify-plan=Standard", "--feed-format=CSV", "--duplicate-skus=UpdateAll", "--strategy=Incremental", "--quantity-name=available"},
			[]string{"--stock-unstocked-items"}},
		{"shopify passes the channel's quantity and stocking", withInventory(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip), v1alpha1.QuantityOnHand, true),
			[]string{"--quantity-name=on_hand", "--stock-unstocked-items"}, nil},
		{"webhook has no plan and ignores UpdateAll", run(v1alpha1.PlatformWebhook, v1alpha1.DuplicateSKUsUpdateAll),
			[]string{"--platform=Webhook", "--duplicate-skus=Skip"}, []string{"--shopify-plan=Standard"}},
		{"webhook has no quantity name nor stocking", withInventory(run(v1alpha1.PlatformWebhook, v1alpha1.DuplicateSKUsSkip), v1alpha1.QuantityOnHand, true),
			[]string{"--platform=Webhook"}, []string{"--quantity-name=on_hand", "--stock-unstocked-items"}},
		{"one feed takes the fulfillment channel's name", run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip),
			[]string{"--feed-name=wh", "--feed-url=http://wms/levels"}, []string{"--plan-only", "--buffer=0"}},
		{"the channel's allocation rules are passed as set", withAllocation(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip),
			&v1alpha1.AllocationRules{Buffer: ptr.To[int64](5), Percentage: ptr.To[int64](50)}, nil),
			[]string{"--buffer=5", "--percentage=50"}, []string{"--threshold=0", "--maximum=0"}},
		{"the sync's allocation rules replace the channel's whole", withAllocation(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip),
			&v1alpha1.AllocationRules{Buffer: ptr.To[int64](5)}, &v1alpha1.AllocationRules{Maximum: ptr.To[int64](7), Threshold: ptr.To[int64](0)}),
			[]string{"--maximum=7", "--threshold=0"}, []string{"--buffer=5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := JobTemplate(tt.run)
			args := tmpl.Spec.Template.Spec.Containers[0].Args
			for _, w := range tt.want {
				if !slices.Contains(args, w) {
					t.Errorf("args %v lack %s", args, w)
				}
			}
			for _, w := range tt.wantNone {
				if slices.Contains(args, w) {
					t.Errorf("args %v contain %s", args, w)
				}
			}
			if got := *tmpl.Spec.ActiveDeadlineSeconds; got != 600 {
				t.Errorf("activeDeadlineSeconds = %d, want 600", got)
			}
		})
	}
}

// TestArgumentsRoundTrip checks the manager renders what the sync role parses back.
func TestArgumentsRoundTrip(t *testing.T) {
	args := JobTemplate(withInventory(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip), v1alpha1.QuantityOnHand, true)).Spec.Template.Spec.Containers[0].Args
	var cfg syncpod.Config
	fs := newFlagSet()
	cfg.BindFlags(fs)
	expanded := strings.ReplaceAll(strings.Join(args[1:], "\n"), "$("+syncpod.EnvRunID+")", "uid-1")
	if err := fs.Parse(strings.Split(expanded, "\n")); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.RunID != "uid-1" || cfg.LocationID != "loc" || cfg.Strategy != v1alpha1.StrategyIncremental ||
		cfg.QuantityName != v1alpha1.QuantityOnHand || !cfg.StockUnstockedItems {
		t.Errorf("parsed %+v", cfg)
	}
}

func TestSeveralFeeds(t *testing.T) {
	r := withFeeds(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip),
		v1alpha1.NamedFeedSource{Name: "berlin", FeedSource: v1alpha1.FeedSource{URL: "http://wms/berlin", Format: v1alpha1.FeedFormatJSON}},
		v1alpha1.NamedFeedSource{Name: "hamburg", FeedSource: v1alpha1.FeedSource{URL: "http://wms/hamburg",
			BearerTokenSecretRef: &v1alpha1.SecretKeySelector{Name: "hh", Key: "token"}}})
	container := JobTemplate(r).Spec.Template.Spec.Containers[0]
	var cfg syncpod.Config
	fs := newFlagSet()
	cfg.BindFlags(fs)
	if err := fs.Parse(container.Args[1:]); err != nil {
		t.Fatal(err)
	}
	want := []syncpod.Feed{{Name: "berlin", URL: "http://wms/berlin", Format: v1alpha1.FeedFormatJSON}, {Name: "hamburg", URL: "http://wms/hamburg", Format: v1alpha1.FeedFormatCSV}}
	if !slices.Equal(cfg.Feeds, want) {
		t.Errorf("feeds parse back as %+v, want %+v", cfg.Feeds, want)
	}
	var tokens []string
	for _, e := range container.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == "hh" {
			tokens = append(tokens, e.Name)
		}
	}
	if !slices.Equal(tokens, []string{syncpod.FeedTokenEnv(1)}) {
		t.Errorf("the second feed's token reaches the pod as %v, want [%s]", tokens, syncpod.FeedTokenEnv(1))
	}
}

func TestPlanJob(t *testing.T) {
	r := run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip)
	r.PlanOnly = true
	tmpl := JobTemplate(r)
	if tmpl.Labels[LabelPlan] != "true" || tmpl.Spec.Template.Labels[LabelPlan] != "true" {
		t.Errorf("a plan's Job and pod are not labelled %s: %v", LabelPlan, tmpl.Labels)
	}
	if !slices.Contains(tmpl.Spec.Template.Spec.Containers[0].Args, "--plan-only") {
		t.Errorf("a plan's pod lacks --plan-only")
	}
	if _, ok := JobTemplate(run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip)).Labels[LabelPlan]; ok {
		t.Errorf("a run's Job is labelled %s", LabelPlan)
	}
}

func TestManualJobNames(t *testing.T) {
	a := ManualJobName("berlin", KindFulfillmentManual, "t1")
	if a != ManualJobName("berlin", KindFulfillmentManual, "t1") {
		t.Error("the same request must give the same name")
	}
	for _, other := range []string{ManualJobName("berlin", KindFulfillmentManual, "t2"), ManualJobName("berlin", KindSalesChannelManual, "t1")} {
		if other == a {
			t.Errorf("distinct requests share the name %s", a)
		}
	}
	if n := len(ManualJobName(strings.Repeat("a", MaxSyncNameLength), KindSalesChannelManual, "t")); n > 63 {
		t.Errorf("a Job name of %d characters does not fit a label value", n)
	}
}

func TestStrategyFor(t *testing.T) {
	if StrategyFor(policy.Incremental) != v1alpha1.StrategyIncremental || StrategyFor(policy.Absolute) != v1alpha1.StrategyAbsolute {
		t.Error("StrategyFor does not map the trigger table's pushes")
	}
}

func newFlagSet() *flag.FlagSet { return flag.NewFlagSet("sync", flag.ContinueOnError) }

// TestWrittenSnapshotArgument: the newest snapshot written reaches every run's pod, the
// CronJob's too, and parses back; a sync that wrote none passes no argument.
func TestWrittenSnapshotArgument(t *testing.T) {
	r := run(v1alpha1.PlatformShopify, v1alpha1.DuplicateSKUsSkip)
	for _, arg := range CronJobSpec(r, false).JobTemplate.Spec.Template.Spec.Containers[0].Args {
		if strings.HasPrefix(arg, "--written-snapshot") {
			t.Errorf("a sync that wrote no snapshot passes %s", arg)
		}
	}
	written := time.Date(2026, 3, 1, 12, 30, 5, 0, time.UTC)
	sync := r.Sync.DeepCopy()
	sync.Status.WrittenSnapshotTime = &metav1.Time{Time: written.In(time.FixedZone("CET", 3600))}
	r.Sync = sync
	for name, args := range map[string][]string{
		"job":     JobTemplate(r).Spec.Template.Spec.Containers[0].Args,
		"cronjob": CronJobSpec(r, false).JobTemplate.Spec.Template.Spec.Containers[0].Args,
	} {
		if !slices.Contains(args, "--written-snapshot=2026-03-01T12:30:05Z") {
			t.Errorf("%s args %v lack --written-snapshot=2026-03-01T12:30:05Z", name, args)
		}
		var cfg syncpod.Config
		fs := newFlagSet()
		cfg.BindFlags(fs)
		if err := fs.Parse(args[1:]); err != nil {
			t.Fatal(err)
		}
		if !cfg.WrittenSnapshot.Equal(written) {
			t.Errorf("%s: written snapshot parses back as %v, want %v", name, cfg.WrittenSnapshot, written)
		}
	}
}
