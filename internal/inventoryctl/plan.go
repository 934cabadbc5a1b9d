package inventoryctl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

func newPlanCommand(o *options) *cobra.Command {
	var output string
	var exitCode bool
	cmd := &cobra.Command{
		Use:   "plan NAME",
		Short: "Request a plan of an InventorySync, wait, and print what a run would change",
		Long: `plan requests a plan: a run that reads the feeds and the channel, applies the duplicate-SKU
policy and the allocation rules, and writes nothing. It waits for it and prints the changes
a run would write (the first ones; the counts cover all). With --exit-code the exit code is 2
when a run would change something, 0 when not, and 1 when the plan failed: a CI gate.`,
		Example: `  kubectl inventory plan berlin-to-shopify-eu
  kubectl inventory plan berlin-to-shopify-eu --exit-code -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("name one InventorySync: kubectl inventory plan NAME")
			}
			if output != "" && output != "json" && output != "yaml" {
				return fmt.Errorf("-o %q is not an output format: use -o json or -o yaml, or leave it out for a table", output)
			}
			return nil
		},
		ValidArgsFunction: completeSyncNames(o),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := o.connect()
			if err != nil {
				return err
			}
			plan, err := requestPlan(cmd.Context(), o, k, args[0])
			if err != nil {
				return err
			}
			if err := printPlan(o.streams.Out, plan, output); err != nil {
				return err
			}
			switch {
			case plan.Result != v1alpha1.RunSucceeded:
				return fmt.Errorf("plan %s failed: %s; the plan Job's pod log (`kubectl logs -n %s job/%s`) has the details", plan.RequestedAt, plan.Message, k.namespace, plan.Job)
			case exitCode && plan.SKUs != nil && plan.SKUs.Updated > 0:
				return &exitError{code: exitChanges}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "json or yaml: print status.lastPlan instead of a table")
	cmd.Flags().BoolVar(&exitCode, "exit-code", false, "exit with 2 when a run would change anything")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// requestPlan sets plan-requested-at and waits for status.lastPlan to answer it.
func requestPlan(ctx context.Context, o *options, k *kube, name string) (*v1alpha1.SyncPlan, error) {
	var s v1alpha1.InventorySync
	if err := k.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: name}, &s); err != nil {
		return nil, explain(err, "get", "inventorysyncs", k.namespace, name)
	}
	token := newToken(time.Now())
	if err := annotate(ctx, k, &s, v1alpha1.PlanRequestedAtAnnotation, token); err != nil {
		return nil, explain(err, "patch", "inventorysyncs", k.namespace, name)
	}
	fmt.Fprintf(o.streams.Err, "requested a plan of InventorySync %s/%s (%s)\n", k.namespace, name, token)
	p := newProgress(o.streams.Err)
	err := waitFor(ctx, p, o.poll, o.timeout, "the plan", func(ctx context.Context) (string, bool, error) {
		if err := k.Get(ctx, client.ObjectKeyFromObject(&s), &s); err != nil {
			return "", false, explain(err, "get", "inventorysyncs", k.namespace, name)
		}
		plan := s.Status.LastPlan
		switch {
		case plan == nil || plan.RequestedAt != token:
			return "waiting for the manager to take the request" + blockedBy(s.Status.Conditions), false, nil
		case plan.Result == "":
			return fmt.Sprintf("plan %s in progress", plan.Job), false, nil
		}
		return "", true, nil
	})
	if err != nil {
		return nil, err
	}
	return s.Status.LastPlan, nil
}

// printPlan prints a plan as a table of changes, or whole as JSON or YAML.
func printPlan(w io.Writer, plan *v1alpha1.SyncPlan, output string) error {
	switch output {
	case "json":
		b, err := json.MarshalIndent(plan, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	case "yaml":
		b, err := yaml.Marshal(plan)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	if plan.Result != v1alpha1.RunSucceeded || plan.SKUs == nil {
		return nil
	}
	if plan.SKUs.Updated == 0 {
		fmt.Fprintf(w, "a run would change nothing: %s\n", plan.SKUs.Summary())
		return nil
	}
	t := newTable(w, "SKU", "FROM", "TO", "CHANGE", "WHY")
	for _, c := range plan.Changes {
		t.row(c.SKU, strconv.FormatInt(c.From, 10), strconv.FormatInt(c.To, 10), fmt.Sprintf("%+d", c.To-c.From), why(c))
	}
	t.flush()
	if n := int64(len(plan.Changes)); n < plan.SKUs.Updated {
		fmt.Fprintf(w, "(the first %d of %d changes)\n", n, plan.SKUs.Updated)
	}
	fmt.Fprintf(w, "a run would update %d SKUs: %s\n", plan.SKUs.Updated, plan.SKUs.Summary())
	return nil
}

// why says where a change's quantity comes from: the feeds' level, or the allocation rules
// that lowered it.
func why(c v1alpha1.PlannedChange) string {
	if c.Feed != 0 {
		return fmt.Sprintf("allocation rules (feeds: %d)", c.Feed)
	}
	return "feeds"
}
