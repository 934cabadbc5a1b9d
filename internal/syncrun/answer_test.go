package syncrun_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/techoms/inventory-operator/internal/channel/webhook"
	"github.com/techoms/inventory-operator/internal/syncrun"
)

// A channel URL pointed at an internal service reflects its error pages: the run's result,
// which reaches status and Events, shows the status code only; the page is in the pod's log.
func TestAnErrorPageReachesTheLogNotTheResult(t *testing.T) {
	const page = "internal admin API: db_password=hunter2"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, page, http.StatusForbidden)
	}))
	defer srv.Close()
	conn, err := webhook.New(webhook.Config{URL: srv.URL, Secret: []byte("test-secret"), LocationID: location, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	opts := options(levels(t, "A=1"), conn)
	opts.Logger = slog.New(slog.NewJSONHandler(&log, nil))
	report := syncrun.Run(t.Context(), opts)
	if report.Status == syncrun.Succeeded {
		t.Fatal("the run succeeded against an error page")
	}
	if encoded := string(syncrun.Encode(report.Result)); strings.Contains(encoded, "db_password") || !strings.Contains(encoded, "HTTP 403") {
		t.Errorf("result %s: want the status code and nothing of the page", encoded)
	}
	if !strings.Contains(log.String(), "db_password") {
		t.Errorf("the pod's log lacks the answer: %s", log.String())
	}
}
