package controllers

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNextDriftCheckFollowsTheScheduleFromTheNewestCheck(t *testing.T) {
	daily, err := cron.ParseStandard("0 3 * * *")
	if err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	at := func(s string) *metav1.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &metav1.Time{Time: tm}
	}
	for _, c := range []struct {
		name string
		loc  *time.Location
		last *metav1.Time
		want time.Time
	}{
		{"the first check is due at once", time.UTC, nil, now},
		{"after a check today, tomorrow at 03:00", time.UTC, at("2026-12-06T03:00:00Z"), time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)},
		{"after a check days ago, a due time in the past: one check now", time.UTC, at("2026-12-01T03:00:00Z"), time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)},
		{"in the sync's time zone", berlin, at("2026-12-06T02:00:00Z"), time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := nextDriftCheck(daily, c.loc, c.last, now); !got.Equal(c.want) {
				t.Errorf("next check %s, want %s", got.UTC(), c.want)
			}
		})
	}
}
