package shopify

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/internal/channel/retry"
)

var statusVars = map[string]string{"id": "gid://shopify/BulkOperation/1"}

var runningOperation = map[string]any{"bulkOperation": map[string]any{"id": "gid://shopify/BulkOperation/1", "status": "RUNNING"}}

// script answers the n-th request (from 0) with replies[n], repeating the last one.
func script(replies ...reply) func(received) reply {
	var n atomic.Int64
	return func(received) reply {
		i := int(n.Add(1) - 1)
		return replies[min(i, len(replies)-1)]
	}
}

func TestRequestsGoToTheVersionedEndpointWithTheToken(t *testing.T) {
	s := newScriptedShopify(t, script(answered(runningOperation, 1, 999)))
	c := s.connector(newFakeClock(), nil)
	var data bulkStatusData
	if err := c.do(context.Background(), bulkStatus, statusVars, &data); err != nil {
		t.Fatal(err)
	}
	got := s.received()[0]
	if got.Path != "/admin/api/2026-10/graphql.json" || got.Token != testToken || got.Operation != "BulkStatus" {
		t.Errorf("request to %s with token %q and operation %q", got.Path, got.Token, got.Operation)
	}
	if data.BulkOperation == nil || data.BulkOperation.Status != "RUNNING" {
		t.Errorf("decoded %+v", data.BulkOperation)
	}
	if st := c.Stats(); st != (Stats{Calls: 1, PointsSpent: 1}) {
		t.Errorf("stats %+v", st)
	}
}

func TestRetries(t *testing.T) {
	cases := []struct {
		name          string
		replies       []reply
		wantErr       bool
		wantCalls     int
		wantThrottled int64
		// wantMinSleep is the least the connector must have waited in all.
		wantMinSleep time.Duration
		// wantMaxSleep, when set, is the most it may have waited in all.
		wantMaxSleep time.Duration
	}{
		{
			name:      "a 5xx is retried",
			replies:   []reply{{status: http.StatusBadGateway}, answered(runningOperation, 1, 999)},
			wantCalls: 2, wantMinSleep: 125 * time.Millisecond,
		},
		{
			name:      "a 429 is retried after Retry-After",
			replies:   []reply{{status: http.StatusTooManyRequests, retryAfter: "2"}, answered(runningOperation, 1, 999)},
			wantCalls: 2, wantThrottled: 1, wantMinSleep: 2 * time.Second,
		},
		{
			name:      "a 429 is retried after a Retry-After HTTP date",
			replies:   []reply{{status: http.StatusTooManyRequests, retryAfter: epoch.Add(90 * time.Second).Format(http.TimeFormat)}, answered(runningOperation, 1, 999)},
			wantCalls: 2, wantThrottled: 1, wantMinSleep: 90 * time.Second, wantMaxSleep: 90 * time.Second,
		},
		{
			name:      "a Retry-After beyond the bound waits only the bound",
			replies:   []reply{{status: http.StatusTooManyRequests, retryAfter: "86400"}, answered(runningOperation, 1, 999)},
			wantCalls: 2, wantThrottled: 1, wantMinSleep: retry.MaxAfter, wantMaxSleep: retry.MaxAfter,
		},
		{
			name:      "THROTTLED waits for the bucket to hold the requested cost",
			replies:   []reply{throttledReply(10, 5), answered(runningOperation, 1, 999)},
			wantCalls: 2, wantThrottled: 1, wantMinSleep: 50 * time.Millisecond,
		},
		{
			name:    "a persistent 5xx fails after the last attempt",
			replies: []reply{{status: http.StatusServiceUnavailable}},
			wantErr: true, wantCalls: 5,
		},
		{
			name:    "a 401 is not retried",
			replies: []reply{{status: http.StatusUnauthorized}},
			wantErr: true, wantCalls: 1,
		},
		{
			name: "a GraphQL error other than THROTTLED is not retried",
			replies: []reply{{body: map[string]any{"errors": []any{map[string]any{
				"message": "Access denied", "extensions": map[string]any{"code": "ACCESS_DENIED"}}}}}},
			wantErr: true, wantCalls: 1,
		},
		{
			name:    "a response without data is an error",
			replies: []reply{{body: map[string]any{"data": nil}}},
			wantErr: true, wantCalls: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newScriptedShopify(t, script(c.replies...))
			clock := newFakeClock()
			conn := s.connector(clock, nil)
			var data bulkStatusData
			err := conn.do(context.Background(), bulkStatus, statusVars, &data)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if err != nil && containsToken(err.Error()) {
				t.Errorf("error shows the token: %v", err)
			}
			if got := len(s.received()); got != c.wantCalls {
				t.Errorf("%d calls, want %d", got, c.wantCalls)
			}
			st := conn.Stats()
			if st.Calls != int64(c.wantCalls) || st.Throttled != c.wantThrottled {
				t.Errorf("stats %+v", st)
			}
			var slept time.Duration
			for _, d := range clock.Sleeps() {
				slept += d
			}
			if slept < c.wantMinSleep {
				t.Errorf("slept %v, want at least %v", slept, c.wantMinSleep)
			}
			if c.wantMaxSleep > 0 && slept > c.wantMaxSleep {
				t.Errorf("slept %v, want at most %v", slept, c.wantMaxSleep)
			}
		})
	}
}

func TestATimedOutRequestIsRetried(t *testing.T) {
	release := make(chan struct{})
	var n atomic.Int64
	s := newScriptedShopify(t, func(received) reply {
		if n.Add(1) == 1 {
			<-release // held until the client gives up on it
			return reply{status: http.StatusGatewayTimeout}
		}
		return answered(runningOperation, 1, 999)
	})
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for handlers
	conn := s.connector(newFakeClock(), func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
	var data bulkStatusData
	if err := conn.do(context.Background(), bulkStatus, statusVars, &data); err != nil {
		t.Fatal(err)
	}
	if got := conn.Stats().Calls; got != 2 {
		t.Errorf("%d calls, want 2", got)
	}
}

func TestACancelledContextStopsRetrying(t *testing.T) {
	s := newScriptedShopify(t, script(reply{status: http.StatusServiceUnavailable}))
	ctx, cancel := context.WithCancel(context.Background())
	clock := newFakeClock()
	conn := s.connector(clock, func(cfg *Config) {
		cfg.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	})
	var data bulkStatusData
	if err := conn.do(ctx, bulkStatus, statusVars, &data); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := len(s.received()); got != 1 {
		t.Errorf("%d calls, want 1", got)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := Config{BaseURL: "https://shop.example", Token: testToken, LocationID: "1"}
	cases := []struct {
		name string
		edit func(*Config)
	}{
		{"no token", func(c *Config) { c.Token = " " }},
		{"not a URL", func(c *Config) { c.BaseURL = "shop.example" }},
		{"bad location", func(c *Config) { c.LocationID = "Berlin" }},
		{"unknown plan", func(c *Config) { c.Plan = "Gold" }},
	}
	if _, err := New(good); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, c := range cases {
		cfg := good
		c.edit(&cfg)
		_, err := New(cfg)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
		} else if containsToken(err.Error()) {
			t.Errorf("%s: error shows the token: %v", c.name, err)
		}
	}
}
