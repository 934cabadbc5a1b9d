package inventoryctl

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func newStatusCommand(o *options) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "status [-n NAMESPACE | -A]",
		Short: "One line per InventorySync: channel, mode, last run, next run, drift, and what blocks it",
		Example: `  kubectl inventory status
  kubectl inventory status -A`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := o.connect()
			if err != nil {
				return err
			}
			return printStatus(cmd.Context(), o.streams.Out, k, all, time.Now())
		},
	}
	cmd.Flags().BoolVarP(&all, "all-namespaces", "A", false, "every namespace you may list")
	return cmd
}

// printStatus prints the InventorySyncs of the namespace, or of all.
func printStatus(ctx context.Context, w io.Writer, k *kube, all bool, now time.Time) error {
	var list v1alpha1.InventorySyncList
	var opts []client.ListOption
	where := "namespace " + k.namespace
	if !all {
		opts = append(opts, client.InNamespace(k.namespace))
	} else {
		where = "any namespace"
	}
	if err := k.List(ctx, &list, opts...); err != nil {
		ns := k.namespace
		if all {
			ns = ""
		}
		return explain(err, "list", "inventorysyncs", ns, "")
	}
	if len(list.Items) == 0 {
		fmt.Fprintf(w, "no InventorySyncs in %s\n", where)
		return nil
	}
	header := []string{"NAME", "CHANNEL", "MODE", "LAST RUN", "NEXT RUN", "DRIFT", "BLOCKED"}
	if all {
		header = append([]string{"NAMESPACE"}, header...)
	}
	t := newTable(w, header...)
	for i := range list.Items {
		s := &list.Items[i]
		row := []string{s.Name, s.Spec.SalesChannelRef.Name, orDash(string(s.Status.EffectiveMode)), lastRun(s, now), nextRun(s, now), drift(s), blocker(s)}
		if all {
			row = append([]string{s.Namespace}, row...)
		}
		t.row(row...)
	}
	t.flush()
	return nil
}

// lastRun is the last run's result and how long ago it ended.
func lastRun(s *v1alpha1.InventorySync, now time.Time) string {
	run := s.Status.LastRun
	switch {
	case len(s.Status.Active) > 0:
		return "Running"
	case run == nil:
		return "-"
	case run.CompletionTime == nil:
		return string(run.Result)
	}
	return fmt.Sprintf("%s %s ago", run.Result, age(run.CompletionTime, now))
}

// nextRun is when the next scheduled run is due, or why none is.
func nextRun(s *v1alpha1.InventorySync, now time.Time) string {
	switch {
	case s.Spec.Schedule == nil:
		return "one-off"
	case meta.IsStatusConditionTrue(s.Status.Conditions, v1alpha1.ConditionSuspended):
		return "suspended"
	case s.Status.NextSyncTime == nil:
		return "-"
	}
	return "in " + duration.HumanDuration(s.Status.NextSyncTime.Sub(now))
}

// drift is the last drift check's state and count.
func drift(s *v1alpha1.InventorySync) string {
	d := s.Status.Drift
	switch {
	case s.Spec.DriftCheck == nil:
		return "-"
	case d == nil || d.State == "":
		return "unchecked"
	case d.State == v1alpha1.DriftDrifted:
		return fmt.Sprintf("Drifted (%d SKUs)", d.SKUs)
	}
	return string(d.State)
}

// blocker is what keeps the sync from running or being Ready: a not-Ready condition's
// message, or what suspends it.
func blocker(s *v1alpha1.InventorySync) string {
	if ready := meta.FindStatusCondition(s.Status.Conditions, v1alpha1.ConditionReady); ready != nil && ready.Status == metav1.ConditionFalse {
		return ready.Reason + ": " + ready.Message
	}
	if c := meta.FindStatusCondition(s.Status.Conditions, v1alpha1.ConditionSuspended); c != nil && c.Status == metav1.ConditionTrue {
		return c.Reason + ": " + c.Message
	}
	return "-"
}

func age(t *metav1.Time, now time.Time) string { return duration.HumanDuration(now.Sub(t.Time)) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
