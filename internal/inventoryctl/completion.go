package inventoryctl

import (
	"context"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// completeSyncNames completes the InventorySync names of the namespace, for the shell
// completion cobra generates (kubectl inventory completion bash|zsh|fish|powershell).
func completeSyncNames(o *options) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return listNames(cmd.Context(), o, &v1alpha1.InventorySyncList{}, func(l client.ObjectList) []string {
			var names []string
			for _, s := range l.(*v1alpha1.InventorySyncList).Items {
				names = append(names, s.Name)
			}
			return names
		})
	}
}

// completeChannelNames completes the SalesChannel names of the namespace.
func completeChannelNames(o *options) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return listNames(cmd.Context(), o, &v1alpha1.SalesChannelList{}, func(l client.ObjectList) []string {
			var names []string
			for _, c := range l.(*v1alpha1.SalesChannelList).Items {
				names = append(names, c.Name)
			}
			return names
		})
	}
}

// listNames lists objects for a completion; an error completes nothing rather than
// printing into the user's command line.
func listNames(ctx context.Context, o *options, list client.ObjectList, names func(client.ObjectList) []string) ([]string, cobra.ShellCompDirective) {
	k, err := o.connect()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := k.List(ctx, list, client.InNamespace(k.namespace)); err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	return names(list), cobra.ShellCompDirectiveNoFileComp
}
