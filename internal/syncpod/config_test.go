package syncpod

import (
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func parse(args ...string) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.BindFlags(fs)
	base := []string{"--platform=Shopify", "--channel-url=https://shop", "--run-id=r", "--strategy=Absolute", "--duplicate-skus=Skip"}
	if err := fs.Parse(append(base, args...)); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestFeedsAndRulesRoundTrip(t *testing.T) {
	want := Config{
		Platform: v1alpha1.PlatformShopify, ChannelURL: "https://shop", Plan: v1alpha1.PlanPlus, LocationID: "loc",
		Feeds:    []Feed{{Name: "berlin", URL: "http://a", Format: v1alpha1.FeedFormatCSV}, {Name: "hamburg", URL: "http://b", Format: v1alpha1.FeedFormatNDJSON}},
		Strategy: v1alpha1.StrategyAbsolute, DuplicateSKUs: v1alpha1.DuplicateSKUsSkip, Trigger: v1alpha1.TriggerFulfillmentManual, RunID: "r",
		Allocation:      &v1alpha1.AllocationRules{Buffer: ptr(0), Percentage: ptr(40)},
		PlanOnly:        true,
		WrittenSnapshot: time.Date(2026, 3, 1, 12, 30, 5, 0, time.UTC),
	}
	var got Config
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	got.BindFlags(fs)
	if err := fs.Parse(want.Args()); err != nil {
		t.Fatal(err)
	}
	if err := got.Validate(); err != nil {
		t.Fatal(err)
	}
	got.ResultPath = ""
	if strings.Join(got.Args(), " ") != strings.Join(want.Args(), " ") || !reflect.DeepEqual(got.Allocation, want.Allocation) || !got.PlanOnly ||
		!got.WrittenSnapshot.Equal(want.WrittenSnapshot) {
		t.Errorf("parsed back as %+v, want %+v", got, want)
	}
}

func TestInvalidFeedsAndRules(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "--feed-name and --feed-url are required"},
		{[]string{"--feed-url=http://a"}, "needs a --feed-name before it"},
		{[]string{"--feed-name=a"}, `feed "a" has no --feed-url`},
		{[]string{"--feed-name=a", "--feed-url=http://a", "--feed-url=http://b"}, "given twice"},
		{[]string{"--feed-name=a", "--feed-url=http://a", "--feed-format=XML"}, "must be CSV, JSON or NDJSON"},
		{[]string{"--feed-name=a", "--feed-url=http://a", "--percentage=101"}, "--percentage must be from 0 to 100"},
		{[]string{"--feed-name=a", "--feed-url=http://a", "--buffer=-1"}, "--buffer must be from 0"},
		{[]string{"--feed-name=a", "--feed-url=http://a", "--maximum=x"}, "not an integer"},
		{[]string{"--feed-name=a", "--feed-url=http://a", "--written-snapshot=yesterday"}, "not an RFC 3339 time"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parse(tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func ptr(v int64) *int64 { return &v }

func TestFeedFormatDefaultsToCSV(t *testing.T) {
	c, err := parse("--feed-name=a", "--feed-url=http://a", "--feed-name=b", "--feed-url=http://b", "--feed-format=JSON")
	if err != nil {
		t.Fatal(err)
	}
	if c.Feeds[0].Format != v1alpha1.FeedFormatCSV || c.Feeds[1].Format != v1alpha1.FeedFormatJSON {
		t.Errorf("feeds %+v, want the first CSV by default and the second JSON", c.Feeds)
	}
}
