package metrics

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

const (
	labelNamespace     = "namespace"
	labelInventorySync = "inventorysync"
	labelSalesChannel  = "saleschannel"
	labelChannel       = "channel"
	labelTrigger       = "trigger"
	labelResult        = "result"
	labelOutcome       = "outcome"
	labelMode          = "mode"
)

// SKU outcomes of a run, the label values of sync_last_run_skus; they add up to read.
var skuOutcomes = []string{"read", "unchanged", "updated", "skipped_duplicates", "not_found", "untracked", "not_stocked", "native_bundles", "failed"}

var (
	syncInfo = gaugeVec("sync", "info",
		"Always 1 for each InventorySync, naming its SalesChannel.",
		labelNamespace, labelInventorySync, labelChannel)
	syncSuspended = gaugeVec("sync", "suspended",
		"1 while the InventorySync's scheduled runs are stopped, by spec.suspend or by its channel's mode.",
		labelNamespace, labelInventorySync)
	syncScheduleInterval = gaugeVec("sync", "schedule_interval_seconds",
		"Seconds between two scheduled runs of a recurring InventorySync.",
		labelNamespace, labelInventorySync)
	syncLastRunSuccess = gaugeVec("sync", "last_run_success",
		"1 when the InventorySync's last finished run succeeded or was superseded, 0 when it failed.",
		labelNamespace, labelInventorySync)
	syncLastRunEnd = gaugeVec("sync", "last_run_end_timestamp_seconds",
		"When the InventorySync's last finished run ended, in Unix seconds.",
		labelNamespace, labelInventorySync)
	syncLastRunDuration = gaugeVec("sync", "last_run_duration_seconds",
		"How long the InventorySync's last finished run took.",
		labelNamespace, labelInventorySync)
	syncLastSuccess = gaugeVec("sync", "last_success_timestamp_seconds",
		"When the InventorySync's last successful run ended, in Unix seconds.",
		labelNamespace, labelInventorySync)
	syncLastRunSKUs = gaugeVec("sync", "last_run_skus",
		"SKUs of the InventorySync's last finished run by outcome: read, and unchanged, updated, skipped_duplicates, not_found, untracked, not_stocked, native_bundles and failed, which add up to read.",
		labelNamespace, labelInventorySync, labelOutcome)
	syncDriftedSKUs = gaugeVec("sync", "drifted_skus",
		"SKUs a run would change at the InventorySync's last drift check (spec.driftCheck): 0 in sync, more when the channel drifted; absent without a finished check.",
		labelNamespace, labelInventorySync)
	syncRuns = counterVec("sync", "runs_total",
		"Finished runs the manager recorded, by trigger and result.",
		labelNamespace, labelInventorySync, labelTrigger, labelResult)

	channelEffectiveMode = gaugeVec("saleschannel", "effective_mode",
		"1 for the SalesChannel's effective mode (the duplicate-SKU rule applied), one series per mode.",
		labelNamespace, labelSalesChannel, labelMode)
	channelReady = gaugeVec("saleschannel", "ready",
		"1 when the SalesChannel's Ready condition is True, 0 otherwise.",
		labelNamespace, labelSalesChannel)

	// syncChannels and channelModes are the label values the current series carry.
	syncChannels, channelModes lastLabel

	managerCollectors = []prometheus.Collector{
		syncInfo, syncSuspended, syncScheduleInterval, syncLastRunSuccess, syncLastRunEnd,
		syncLastRunDuration, syncLastSuccess, syncLastRunSKUs, syncDriftedSKUs, syncRuns, channelEffectiveMode, channelReady,
	}
)

// RegisterManager adds the manager's metrics to reg (controller-runtime's registry).
func RegisterManager(reg prometheus.Registerer) error { return register(reg, managerCollectors) }

func register(reg prometheus.Registerer, cs []prometheus.Collector) error {
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			if are := (prometheus.AlreadyRegisteredError{}); errors.As(err, &are) {
				continue
			}
			return err
		}
	}
	return nil
}

// InventorySync is what the manager reports of one InventorySync after a reconcile.
type InventorySync struct {
	Namespace, Name, Channel string
	Suspended                bool
	// ScheduleInterval is zero for a one-off sync.
	ScheduleInterval time.Duration
	LastRun          *v1alpha1.SyncRun
	LastSuccess      *v1alpha1.SyncRun
	// Drift is nil without spec.driftCheck.
	Drift *v1alpha1.DriftStatus
}

// ObserveInventorySync sets the gauges of one InventorySync from its status.
func ObserveInventorySync(s InventorySync) {
	if previous, had := syncChannels.swap(s.Namespace, s.Name, s.Channel); had && previous != s.Channel {
		syncInfo.DeleteLabelValues(s.Namespace, s.Name, previous)
	}
	syncInfo.WithLabelValues(s.Namespace, s.Name, s.Channel).Set(1)
	syncSuspended.WithLabelValues(s.Namespace, s.Name).Set(boolValue(s.Suspended))
	if s.ScheduleInterval > 0 {
		syncScheduleInterval.WithLabelValues(s.Namespace, s.Name).Set(s.ScheduleInterval.Seconds())
	} else {
		syncScheduleInterval.DeleteLabelValues(s.Namespace, s.Name)
	}
	if run := s.LastRun; run != nil {
		syncLastRunSuccess.WithLabelValues(s.Namespace, s.Name).Set(boolValue(run.Result != v1alpha1.RunFailed))
		if run.CompletionTime != nil {
			syncLastRunEnd.WithLabelValues(s.Namespace, s.Name).Set(float64(run.CompletionTime.Unix()))
			if run.StartTime != nil {
				syncLastRunDuration.WithLabelValues(s.Namespace, s.Name).Set(run.CompletionTime.Sub(run.StartTime.Time).Seconds())
			}
		}
		if c := run.SKUs; c != nil {
			for i, n := range []int64{c.Read, c.Unchanged, c.Updated, c.SkippedDuplicates, c.NotFound, c.Untracked, c.NotStocked, c.NativeBundles, c.Failed} {
				syncLastRunSKUs.WithLabelValues(s.Namespace, s.Name, skuOutcomes[i]).Set(float64(n))
			}
		}
	}
	if run := s.LastSuccess; run != nil && run.CompletionTime != nil {
		syncLastSuccess.WithLabelValues(s.Namespace, s.Name).Set(float64(run.CompletionTime.Unix()))
	}
	if s.Drift != nil && s.Drift.State != "" {
		syncDriftedSKUs.WithLabelValues(s.Namespace, s.Name).Set(float64(s.Drift.SKUs))
	} else {
		syncDriftedSKUs.DeleteLabelValues(s.Namespace, s.Name)
	}
}

// CountRun counts one finished run, once, when the manager first records it.
func CountRun(namespace, name string, run v1alpha1.SyncRun) {
	syncRuns.WithLabelValues(namespace, name, string(run.Trigger), string(run.Result)).Inc()
}

// ForgetInventorySync drops every series of a deleted InventorySync.
func ForgetInventorySync(namespace, name string) {
	syncChannels.forget(namespace, name)
	l := prometheus.Labels{labelNamespace: namespace, labelInventorySync: name}
	for _, v := range []interface {
		DeletePartialMatch(prometheus.Labels) int
	}{syncInfo, syncSuspended, syncScheduleInterval, syncLastRunSuccess, syncLastRunEnd, syncLastRunDuration, syncLastSuccess, syncLastRunSKUs, syncDriftedSKUs, syncRuns} {
		v.DeletePartialMatch(l)
	}
}

// ObserveSalesChannel sets the gauges of one SalesChannel.
func ObserveSalesChannel(namespace, name string, effectiveMode v1alpha1.InventoryMode, ready bool) {
	if previous, had := channelModes.swap(namespace, name, string(effectiveMode)); had && previous != string(effectiveMode) && previous != "" {
		channelEffectiveMode.DeleteLabelValues(namespace, name, previous)
	}
	if effectiveMode != "" {
		channelEffectiveMode.WithLabelValues(namespace, name, string(effectiveMode)).Set(1)
	}
	channelReady.WithLabelValues(namespace, name).Set(boolValue(ready))
}

// ForgetSalesChannel drops every series of a deleted SalesChannel.
func ForgetSalesChannel(namespace, name string) {
	channelModes.forget(namespace, name)
	l := prometheus.Labels{labelNamespace: namespace, labelSalesChannel: name}
	channelEffectiveMode.DeletePartialMatch(l)
	channelReady.DeletePartialMatch(l)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
