package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
	"github.com/techoms/inventory-operator/internal/syncpod"
	"github.com/techoms/inventory-operator/internal/workload"
)

const (
	testSecret    = "whsec-do-not-log"
	testFeedToken = "feed-token-do-not-log"
	testLocation  = "loc-berlin"
)

// syncFixture is a feed behind a bearer token and a webhook channel, both over HTTP.
type syncFixture struct {
	receiver *webhooktest.Receiver
	feedURL  string
	chanURL  string
	resultAt string
	// feedToken is the pod's feed token; testFeedToken unless a test changes it.
	feedToken string
	// env is more of the pod's environment.
	env map[string]string
}

func newSyncFixture(t *testing.T, feed string) *syncFixture {
	t.Helper()
	feedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testFeedToken {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, feed)
	}))
	t.Cleanup(feedSrv.Close)
	rc := webhooktest.NewReceiver([]byte(testSecret))
	chanSrv := httptest.NewServer(rc)
	t.Cleanup(chanSrv.Close)
	return &syncFixture{
		receiver:  rc,
		feedURL:   feedSrv.URL + "/levels.csv",
		chanURL:   chanSrv.URL,
		resultAt:  filepath.Join(t.TempDir(), "termination-log"),
		feedToken: testFeedToken,
	}
}

func (f *syncFixture) config() syncpod.Config {
	return syncpod.Config{
		Platform:      v1alpha1.PlatformWebhook,
		ChannelURL:    f.chanURL,
		LocationID:    testLocation,
		Feeds:         []syncpod.Feed{{Name: "warehouse", URL: f.feedURL, Format: v1alpha1.FeedFormatCSV}},
		Strategy:      v1alpha1.StrategyAbsolute,
		DuplicateSKUs: v1alpha1.DuplicateSKUsSkip,
		Trigger:       v1alpha1.Trigger("Schedule"),
		RunID:         "0b6f1a4e-job-uid",
	}
}

// run runs the sync role as the pod would, with the pod's environment.
func (f *syncFixture) run(t *testing.T, cfg syncpod.Config) (int, v1alpha1.SyncResult, string) {
	t.Helper()
	env := map[string]string{
		syncpod.EnvChannelCredentials: testSecret + "\n",
		syncpod.EnvFeedToken:          f.feedToken,
	}
	maps.Copy(env, f.env)
	var stderr bytes.Buffer
	args := append(cfg.Args(), "--result-path="+f.resultAt)
	code := syncRun(context.Background(), args, func(k string) string { return env[k] }, &stderr)
	raw, err := os.ReadFile(f.resultAt)
	if err != nil {
		t.Fatalf("no result file: %v; stderr:\n%s", err, stderr.String())
	}
	if len(raw) > 4096 {
		t.Errorf("result has %d bytes, over the 4 KiB termination message", len(raw))
	}
	var result v1alpha1.SyncResult
	if err := json.Unmarshal(raw, &result); err != nil {
		t.Fatalf("result %q is not a SyncResult: %v", raw, err)
	}
	for _, secret := range []string{testSecret, testFeedToken} {
		if strings.Contains(stderr.String(), secret) || strings.Contains(string(raw), secret) {
			t.Errorf("a secret leaked into the logs or the result")
		}
	}
	return code, result, stderr.String()
}

func TestSyncRoleEndToEnd(t *testing.T) {
	f := newSyncFixture(t, "sku,quantity\nA,5\nB,3\nC,0\nD,9\nE,4\n")
	f.receiver.Put(testLocation,
		channel.Item{ID: "1", SKU: "A", Quantity: 2},
		channel.Item{ID: "2", SKU: "B", Quantity: 3},
		channel.Item{ID: "3", SKU: "C", Quantity: 8},
		channel.Item{ID: "4a", SKU: "E", Quantity: 1},
		channel.Item{ID: "4b", SKU: "E", Quantity: 1},
		channel.Item{ID: "9", SKU: "Z", Quantity: 6},
	)

	code, result, logs := f.run(t, f.config())

	if code != 0 {
		t.Fatalf("exit %d, want 0; logs:\n%s", code, logs)
	}
	want := v1alpha1.SKUCounts{Read: 5, Unchanged: 1, Updated: 2, SkippedDuplicates: 1, NotFound: 1}
	if result.SKUs != want || len(result.Failures) != 0 {
		t.Errorf("result %+v, want counts %+v", result, want)
	}
	for id, q := range map[string]int64{"1": 5, "2": 3, "3": 0, "4a": 1, "4b": 1, "9": 6} {
		if got, _ := f.receiver.Item(testLocation, id); got.Quantity != q {
			t.Errorf("item %s shows %d, want %d", id, got.Quantity, q)
		}
	}
	if !strings.Contains(logs, `"msg":"sync run finished"`) {
		t.Errorf("no structured summary in the logs:\n%s", logs)
	}
}

func TestSyncRoleExitCodes(t *testing.T) {
	t.Run("a malformed feed is permanent and pushes nothing", func(t *testing.T) {
		f := newSyncFixture(t, "sku,quantity\nA,5\nB,lots\n")
		f.receiver.Put(testLocation, channel.Item{ID: "1", SKU: "A", Quantity: 2})
		code, result, _ := f.run(t, f.config())
		if code != workload.ExitPermanent || !strings.Contains(result.Message, "line 3") {
			t.Errorf("exit %d, result %+v; want %d and a message naming line 3", code, result, workload.ExitPermanent)
		}
		if s := f.receiver.Stats(); s.Requests != 0 {
			t.Errorf("the channel got %d requests, want none", s.Requests)
		}
	})
	t.Run("a refused SKU is a partial failure", func(t *testing.T) {
		f := newSyncFixture(t, "sku,quantity\nA,5\nB,3\n")
		f.receiver.Put(testLocation, channel.Item{ID: "1", SKU: "A", Quantity: 2}, channel.Item{ID: "2", SKU: "B", Quantity: 0})
		f.receiver.Refuse("B", "B is archived")
		code, result, _ := f.run(t, f.config())
		want := []v1alpha1.SKUFailure{{SKU: "B", Reason: "B is archived"}}
		if code != workload.ExitPartial || result.SKUs.Failed != 1 || fmt.Sprint(result.Failures) != fmt.Sprint(want) {
			t.Errorf("exit %d, result %+v; want %d and failure %+v", code, result, workload.ExitPartial, want)
		}
	})
	t.Run("an invalid setting is permanent", func(t *testing.T) {
		f := newSyncFixture(t, "sku,quantity\n")
		cfg := f.config()
		cfg.Strategy = "Sideways"
		code, result, _ := f.run(t, cfg)
		if code != workload.ExitPermanent || !strings.Contains(result.Message, "--strategy") {
			t.Errorf("exit %d, result %+v; want %d naming --strategy", code, result, workload.ExitPermanent)
		}
	})
	t.Run("a wrong feed token is retried", func(t *testing.T) {
		f := newSyncFixture(t, "sku,quantity\n")
		f.feedToken = "stale-token-do-not-log"
		f.feedURL = strings.Replace(f.feedURL, "http://", "http://user:hunter2@", 1)
		code, result, logs := f.run(t, f.config())
		if code != workload.ExitPartial || !strings.Contains(result.Message, "401") {
			t.Errorf("exit %d, result %+v; want %d naming HTTP 401", code, result, workload.ExitPartial)
		}
		if strings.Contains(logs+result.Message, "hunter2") || strings.Contains(logs, f.feedToken) {
			t.Errorf("the feed's credentials leaked into the logs or the result")
		}
	})
}

func TestSyncRoleSumsFeedsAndPlans(t *testing.T) {
	const secondToken = "second-feed-token-do-not-log"
	f := newSyncFixture(t, "sku,quantity\nA,5\nB,3\n")
	second := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secondToken {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "sku,quantity\nA,15\n")
	}))
	t.Cleanup(second.Close)
	f.env = map[string]string{syncpod.FeedTokenEnv(1): secondToken}
	f.receiver.Put(testLocation, channel.Item{ID: "1", SKU: "A", Quantity: 0}, channel.Item{ID: "2", SKU: "B", Quantity: 0})
	cfg := f.config()
	cfg.Feeds = append(cfg.Feeds, syncpod.Feed{Name: "hamburg", URL: second.URL + "/levels.csv", Format: v1alpha1.FeedFormatCSV})
	fifty := int64(50)
	cfg.Allocation = &v1alpha1.AllocationRules{Percentage: &fifty}
	cfg.PlanOnly = true

	code, plan, logs := f.run(t, cfg)

	// 50% of the sums, each change naming the summed level the rules lowered.
	want := []v1alpha1.PlannedChange{{SKU: "A", From: 0, To: 10, Feed: 20}, {SKU: "B", From: 0, To: 1, Feed: 3}}
	if code != 0 || !slices.Equal(plan.Changes, want) || plan.SKUs.Updated != 2 {
		t.Fatalf("exit %d, plan %+v; want 0 and changes %+v; logs:\n%s", code, plan, want, logs)
	}
	if s := f.receiver.Stats(); s.Writes != 0 {
		t.Errorf("the plan wrote %d times", s.Writes)
	}

	cfg.PlanOnly = false
	if code, result, logs := f.run(t, cfg); code != 0 || result.SKUs != plan.SKUs {
		t.Fatalf("exit %d, run counted %+v, the plan %+v; logs:\n%s", code, result.SKUs, plan.SKUs, logs)
	}
	for id, q := range map[string]int64{"1": 10, "2": 1} {
		if got, _ := f.receiver.Item(testLocation, id); got.Quantity != q {
			t.Errorf("item %s shows %d, want %d", id, got.Quantity, q)
		}
	}
}
