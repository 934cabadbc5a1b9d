package retry

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"absent", "", 0, false},
		{"blank", "   ", 0, false},
		{"seconds", "7", 7 * time.Second, true},
		{"zero seconds", "0", 0, true},
		{"seconds with spaces", " 3 ", 3 * time.Second, true},
		{"decimal seconds", "2.0", 2 * time.Second, true},
		{"fractional seconds", "0.5", 500 * time.Millisecond, true},
		{"seconds capped", "86400", MaxAfter, true},
		{"huge seconds capped", "99999999999999999999", MaxAfter, true},
		{"negative", "-1", 0, false},
		{"exponent", "1e3", 0, false},
		{"infinity", "Inf", 0, false},
		{"not a number", "soon", 0, false},
		{"IMF date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"RFC 850 date", now.Add(time.Minute).Format(time.RFC850), time.Minute, true},
		{"asctime date", now.Add(2 * time.Minute).Format(time.ANSIC), 2 * time.Minute, true},
		{"date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"date capped", now.Add(24 * time.Hour).Format(http.TimeFormat), MaxAfter, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := After(tt.value, now)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("After(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	const first, limit = 250 * time.Millisecond, 30 * time.Second
	tests := []struct {
		n    int
		want time.Duration // the ceiling; Backoff lies in [want/2, want]
	}{
		{1, 250 * time.Millisecond},
		{2, 500 * time.Millisecond},
		{3, time.Second},
		{8, 30 * time.Second},
		{64, 30 * time.Second},
		{1 << 30, 30 * time.Second},
	}
	for _, tt := range tests {
		if got := ceiling(tt.n, first, limit); got != tt.want {
			t.Errorf("ceiling(%d) = %v, want %v", tt.n, got, tt.want)
		}
		for range 20 {
			if got := Backoff(tt.n, first, limit); got < tt.want/2 || got > tt.want {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", tt.n, got, tt.want/2, tt.want)
			}
		}
	}
	if got := Backoff(3, 0, limit); got != 0 {
		t.Errorf("Backoff with no first wait = %v, want 0", got)
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on an ended context = %v, want context.Canceled", err)
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep(0) on an ended context = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), time.Nanosecond); err != nil {
		t.Fatalf("Sleep = %v", err)
	}
}
