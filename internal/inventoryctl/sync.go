package inventoryctl

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

func newSyncCommand(o *options) *cobra.Command {
	var channel string
	var noWait bool
	cmd := &cobra.Command{
		Use:   "sync NAME | sync --channel SALESCHANNEL",
		Short: "Request a run of an InventorySync (or of every InventorySync of a SalesChannel), wait, and print its counts",
		Long: `sync NAME requests a fulfillment-channel manual run of the InventorySync NAME (it runs only
when the channel's effective mode pushes such runs). sync --channel NAME requests a
sales-channel manual sync: one run, with full values, of every InventorySync of the
SalesChannel, in every mode. Both wait for the runs and print their counts and failures,
unless --no-wait. The exit code is 1 when a run failed.`,
		Example: `  kubectl inventory sync berlin-to-shopify-eu
  kubectl inventory sync --channel shopify-eu --no-wait`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case channel == "" && len(args) != 1:
				return fmt.Errorf("name one InventorySync (kubectl inventory sync NAME), or a SalesChannel with --channel")
			case channel != "" && len(args) != 0:
				return fmt.Errorf("give either an InventorySync NAME or --channel, not both")
			}
			return nil
		},
		ValidArgsFunction: completeSyncNames(o),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := o.connect()
			if err != nil {
				return err
			}
			if channel != "" {
				return syncChannel(cmd.Context(), o, k, channel, noWait)
			}
			return syncOne(cmd.Context(), o, k, args[0], noWait)
		},
	}
	cmd.Flags().StringVar(&channel, "channel", "", "SalesChannel whose InventorySyncs all run, with full values")
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "only request the run")
	_ = cmd.RegisterFlagCompletionFunc("channel", completeChannelNames(o))
	return cmd
}

// syncOne requests a fulfillment-channel manual run of one InventorySync.
func syncOne(ctx context.Context, o *options, k *kube, name string, noWait bool) error {
	var s v1alpha1.InventorySync
	if err := k.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: name}, &s); err != nil {
		return explain(err, "get", "inventorysyncs", k.namespace, name)
	}
	if err := refuseNoPush(&s); err != nil {
		return err
	}
	token := newToken(time.Now())
	if err := annotate(ctx, k, &s, v1alpha1.SyncRequestedAtAnnotation, token); err != nil {
		return explain(err, "patch", "inventorysyncs", k.namespace, name)
	}
	fmt.Fprintf(o.streams.Err, "requested a run of InventorySync %s/%s (%s)\n", k.namespace, name, token)
	if noWait {
		return nil
	}
	job := workload.ManualJobName(name, workload.KindFulfillmentManual, token)
	run, err := waitForRun(ctx, o, k, name, job, func(s *v1alpha1.InventorySync) error {
		if s.Status.LastHandledSyncRequest == token {
			return refuseNoPush(s)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return reportRuns(o.streams.Out, []runOf{{sync: name, run: run}})
}

// refuseNoPush says what to do instead when the channel's mode does not push
// fulfillment-channel runs: the manager would take the request and start nothing.
func refuseNoPush(s *v1alpha1.InventorySync) error {
	if s.Status.EffectiveMode != "" && s.Status.Strategy == "" {
		return fmt.Errorf("SalesChannel %s's effective mode %s does not push fulfillment-channel runs, so a run of %s would start nothing: request a sales-channel manual sync with `kubectl inventory sync --channel %s -n %s` (full values, every InventorySync of the channel)",
			s.Spec.SalesChannelRef.Name, s.Status.EffectiveMode, s.Name, s.Spec.SalesChannelRef.Name, s.Namespace)
	}
	return nil
}

// syncChannel requests a sales-channel manual sync and waits for the run of each
// InventorySync of the channel.
func syncChannel(ctx context.Context, o *options, k *kube, name string, noWait bool) error {
	var ch v1alpha1.SalesChannel
	if err := k.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: name}, &ch); err != nil {
		return explain(err, "get", "saleschannels", k.namespace, name)
	}
	syncs, err := syncsOfChannel(ctx, k, name)
	if err != nil {
		return err
	}
	if len(syncs) == 0 {
		return fmt.Errorf("SalesChannel %s/%s has no InventorySync: a sales-channel sync runs the channel's InventorySyncs, so create one first", k.namespace, name)
	}
	token := newToken(time.Now())
	if err := annotate(ctx, k, &ch, v1alpha1.SyncRequestedAtAnnotation, token); err != nil {
		return explain(err, "patch", "saleschannels", k.namespace, name)
	}
	fmt.Fprintf(o.streams.Err, "requested a sales-channel sync of %s/%s (%s): %d InventorySyncs\n", k.namespace, name, token, len(syncs))
	if noWait {
		return nil
	}
	p := newProgress(o.streams.Err)
	err = waitFor(ctx, p, o.poll, o.timeout, "the manager to take the request", func(ctx context.Context) (string, bool, error) {
		if err := k.Get(ctx, client.ObjectKeyFromObject(&ch), &ch); err != nil {
			return "", false, explain(err, "get", "saleschannels", k.namespace, name)
		}
		if ch.Status.LastHandledSyncRequest == token {
			return "", true, nil
		}
		return "waiting for the manager to take the request" + blockedBy(ch.Status.Conditions), false, nil
	})
	if err != nil {
		return err
	}
	var runs []runOf
	for _, s := range syncs {
		job := workload.ManualJobName(s, workload.KindSalesChannelManual, token)
		// The manager creates the Jobs before it records the request as handled: a Job
		// missing now was refused, and its InventorySync's Events say why.
		if err := k.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: job}, &batchv1.Job{}); apierrors.IsNotFound(err) {
			runs = append(runs, runOf{sync: s, notStarted: fmt.Sprintf("not started: `kubectl describe inventorysync -n %s %s` shows why", k.namespace, s)})
			continue
		}
		run, err := waitForRun(ctx, o, k, s, job, nil)
		if err != nil {
			return err
		}
		runs = append(runs, runOf{sync: s, run: run})
	}
	return reportRuns(o.streams.Out, runs)
}

// syncsOfChannel lists the names of the InventorySyncs of a SalesChannel.
func syncsOfChannel(ctx context.Context, k *kube, channel string) ([]string, error) {
	var list v1alpha1.InventorySyncList
	if err := k.List(ctx, &list, client.InNamespace(k.namespace)); err != nil {
		return nil, explain(err, "list", "inventorysyncs", k.namespace, "")
	}
	var names []string
	for _, s := range list.Items {
		if s.Spec.SalesChannelRef.Name == channel {
			names = append(names, s.Name)
		}
	}
	return names, nil
}

// waitForRun waits until the InventorySync records the run of job as its last run. check,
// if any, may stop the wait with an error the status shows.
func waitForRun(ctx context.Context, o *options, k *kube, name, job string, check func(*v1alpha1.InventorySync) error) (*v1alpha1.SyncRun, error) {
	var s v1alpha1.InventorySync
	p := newProgress(o.streams.Err)
	err := waitFor(ctx, p, o.poll, o.timeout, "run "+job, func(ctx context.Context) (string, bool, error) {
		if err := k.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: name}, &s); err != nil {
			return "", false, explain(err, "get", "inventorysyncs", k.namespace, name)
		}
		if check != nil {
			if err := check(&s); err != nil {
				return "", true, err
			}
		}
		if s.Status.LastRun != nil && s.Status.LastRun.Job == job {
			return "", true, nil
		}
		for _, a := range s.Status.Active {
			if a.Job == job {
				return fmt.Sprintf("%s: run %s in progress", name, job), false, nil
			}
		}
		return fmt.Sprintf("%s: waiting for run %s to start%s%s", name, job, blockedBy(s.Status.Conditions), queuedBehind(s.Status.Conditions)), false, nil
	})
	if err != nil {
		return nil, err
	}
	return s.Status.LastRun, nil
}

// blockedBy is what keeps an object from running, from its Ready condition, if anything.
func blockedBy(conditions []metav1.Condition) string {
	ready := meta.FindStatusCondition(conditions, v1alpha1.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionFalse {
		return ""
	}
	return ": " + ready.Message
}

// queuedBehind is what a queued run waits for, from the RunQueued condition, if it waits.
func queuedBehind(conditions []metav1.Condition) string {
	queued := meta.FindStatusCondition(conditions, v1alpha1.ConditionRunQueued)
	if queued == nil || queued.Status != metav1.ConditionTrue {
		return ""
	}
	return ": " + queued.Message
}

// runOf is one InventorySync's run, or why it did not start.
type runOf struct {
	sync       string
	run        *v1alpha1.SyncRun
	notStarted string
}

// reportRuns prints each run's counts and failures; any failed run makes the exit code 1.
func reportRuns(w io.Writer, runs []runOf) error {
	failed := 0
	for _, r := range runs {
		if r.run == nil {
			fmt.Fprintf(w, "%s: %s\n", r.sync, r.notStarted)
			failed++
			continue
		}
		fmt.Fprintf(w, "%s: run %s %s%s\n", r.sync, r.run.Job, r.run.Result, took(r.run))
		if r.run.SKUs != nil {
			fmt.Fprintf(w, "  %s\n", r.run.SKUs.Summary())
		}
		if r.run.Message != "" {
			fmt.Fprintf(w, "  %s\n", r.run.Message)
		}
		if len(r.run.Failures) > 0 {
			t := newTable(w, "  SKU", "REASON")
			for _, f := range r.run.Failures {
				t.row("  "+f.SKU, f.Reason)
			}
			t.flush()
		}
		// A superseded run wrote nothing because the channel already shows newer levels.
		if r.run.Result == v1alpha1.RunFailed {
			failed++
		}
	}
	if failed > 0 {
		return &exitError{code: exitFailed, msg: fmt.Sprintf("%d of %d runs did not succeed", failed, len(runs))}
	}
	return nil
}

// took is how long a run took, when its status says.
func took(run *v1alpha1.SyncRun) string {
	if run.StartTime == nil || run.CompletionTime == nil {
		return ""
	}
	return " in " + run.CompletionTime.Sub(run.StartTime.Time).Round(time.Second).String()
}
