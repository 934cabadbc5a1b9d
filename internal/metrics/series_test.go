package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func TestAChangedLabelReplacesItsSeries(t *testing.T) {
	steps := []struct {
		name   string
		mode   v1alpha1.InventoryMode
		series int
	}{
		{"first mode", v1alpha1.ModeRealTimeAdjustment, 1},
		{"same mode again", v1alpha1.ModeRealTimeAdjustment, 1},
		{"another mode replaces it", v1alpha1.ModeDoNotSynchronize, 1},
		{"no mode removes it", "", 0},
		{"a mode again", v1alpha1.ModeSynchronizeWithFulfillmentChannel, 1},
	}
	t.Cleanup(func() { ForgetSalesChannel("shop", "eu") })
	for _, step := range steps {
		ObserveSalesChannel("shop", "eu", step.mode, true)
		got := labelValues(channelEffectiveMode, labelMode)
		if len(got) != step.series || (step.series == 1 && got[0] != string(step.mode)) {
			t.Fatalf("%s: effective-mode series of modes %v, want %d of %s", step.name, got, step.series, step.mode)
		}
	}

	t.Cleanup(func() { ForgetInventorySync("shop", "berlin") })
	for _, channel := range []string{"eu", "eu", "us"} {
		ObserveInventorySync(InventorySync{Namespace: "shop", Name: "berlin", Channel: channel})
		if got := labelValues(syncInfo, labelChannel); len(got) != 1 || got[0] != channel {
			t.Fatalf("channel %s: sync_info series of channels %v, want only %s", channel, got, channel)
		}
	}
}

// labelValues collects the metric's series and returns the value of one label of each.
func labelValues(c prometheus.Collector, label string) []string {
	ch := make(chan prometheus.Metric, 64)
	c.Collect(ch)
	close(ch)
	var values []string
	for m := range ch {
		var out dto.Metric
		if err := m.Write(&out); err != nil {
			panic(err)
		}
		for _, l := range out.GetLabel() {
			if l.GetName() == label {
				values = append(values, l.GetValue())
			}
		}
	}
	return values
}
