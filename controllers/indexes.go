package controllers

import (
	"context"
	"slices"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// Field indexes that let a watch event on one object find the objects that refer to it,
// so a missing SalesChannel or Secret recovers by itself when it appears.
const (
	// indexCredentialsSecret indexes SalesChannels by the Secret holding their credentials.
	indexCredentialsSecret = ".spec.connection.credentialsSecretRef.name"
	// indexSalesChannel indexes InventorySyncs by the SalesChannel they feed.
	indexSalesChannel = ".spec.salesChannelRef.name"
	// indexFeedSecret indexes InventorySyncs by the Secrets holding their feeds' tokens.
	indexFeedSecret = ".spec.fulfillmentChannel.feed.bearerTokenSecretRef.name"
	// indexSyncMapping indexes InventorySyncs by the ConfigMap of their own catalog mapping.
	indexSyncMapping = ".spec.mapping.configMapRef.name"
	// indexChannelMapping indexes SalesChannels by the ConfigMap of their catalog mapping.
	indexChannelMapping = ".spec.inventory.mapping.configMapRef.name"
)

// SetupIndexes registers the field indexes both reconcilers rely on.
func SetupIndexes(ctx context.Context, mgr manager.Manager) error {
	idx := mgr.GetFieldIndexer()
	if err := idx.IndexField(ctx, &v1alpha1.SalesChannel{}, indexCredentialsSecret, func(o client.Object) []string {
		ch := o.(*v1alpha1.SalesChannel)
		names := []string{ch.Spec.Connection.CredentialsSecretRef.Name}
		// The syncs of the channel need its mapping's token too.
		if ref := mappingToken(ch.Spec.Inventory.Mapping); ref != nil && ref.Name != names[0] {
			names = append(names, ref.Name)
		}
		return names
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.InventorySync{}, indexSalesChannel, func(o client.Object) []string {
		return []string{o.(*v1alpha1.InventorySync).Spec.SalesChannelRef.Name}
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.InventorySync{}, indexSyncMapping, func(o client.Object) []string {
		if m := o.(*v1alpha1.InventorySync).Spec.Mapping; m != nil && m.ConfigMapRef != nil {
			return []string{m.ConfigMapRef.Name}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &v1alpha1.SalesChannel{}, indexChannelMapping, func(o client.Object) []string {
		if m := o.(*v1alpha1.SalesChannel).Spec.Inventory.Mapping; m != nil && m.ConfigMapRef != nil {
			return []string{m.ConfigMapRef.Name}
		}
		return nil
	}); err != nil {
		return err
	}
	return idx.IndexField(ctx, &v1alpha1.InventorySync{}, indexFeedSecret, func(o client.Object) []string {
		var names []string
		sync := o.(*v1alpha1.InventorySync)
		for _, feed := range sync.Spec.FulfillmentChannel.FeedList() {
			if ref := feed.BearerTokenSecretRef; ref != nil && !slices.Contains(names, ref.Name) {
				names = append(names, ref.Name)
			}
		}
		if ref := mappingToken(sync.Spec.Mapping); ref != nil && !slices.Contains(names, ref.Name) {
			names = append(names, ref.Name)
		}
		if res := sync.Spec.Reservations; res != nil && !slices.Contains(names, res.TokenSecretRef.Name) {
			names = append(names, res.TokenSecretRef.Name)
		}
		return names
	})
}

// channelsUsingSecret maps a Secret to the SalesChannels whose credentials it holds.
func channelsUsingSecret(c client.Reader) func(context.Context, client.Object) []reconcile.Request {
	return func(ctx context.Context, secret client.Object) []reconcile.Request {
		var channels v1alpha1.SalesChannelList
		if err := c.List(ctx, &channels, client.InNamespace(secret.GetNamespace()),
			client.MatchingFields{indexCredentialsSecret: secret.GetName()}); err != nil {
			return nil
		}
		reqs := make([]reconcile.Request, 0, len(channels.Items))
		for _, ch := range channels.Items {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&ch)})
		}
		return reqs
	}
}

// syncsOfChannel maps a SalesChannel to its InventorySyncs.
func syncsOfChannel(c client.Reader) func(context.Context, client.Object) []reconcile.Request {
	return func(ctx context.Context, ch client.Object) []reconcile.Request {
		return listSyncRequests(ctx, c, ch.GetNamespace(), indexSalesChannel, ch.GetName())
	}
}

// syncsUsingSecret maps a Secret to the InventorySyncs that need it: those whose feed token
// it holds and those of the channels whose credentials it holds.
func syncsUsingSecret(c client.Reader) func(context.Context, client.Object) []reconcile.Request {
	channels := channelsUsingSecret(c)
	return func(ctx context.Context, secret client.Object) []reconcile.Request {
		reqs := listSyncRequests(ctx, c, secret.GetNamespace(), indexFeedSecret, secret.GetName())
		for _, ch := range channels(ctx, secret) {
			reqs = append(reqs, listSyncRequests(ctx, c, ch.Namespace, indexSalesChannel, ch.Name)...)
		}
		return reqs
	}
}

func listSyncRequests(ctx context.Context, c client.Reader, namespace, index, value string) []reconcile.Request {
	var syncs v1alpha1.InventorySyncList
	if err := c.List(ctx, &syncs, client.InNamespace(namespace), client.MatchingFields{index: value}); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(syncs.Items))
	for _, s := range syncs.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&s)})
	}
	return reqs
}

// syncsUsingConfigMap maps a ConfigMap to the InventorySyncs whose catalog mapping it may
// hold: those naming it and those of the channels naming it (a sync's own mapping replaces
// its channel's, which the reconcile sorts out).
func syncsUsingConfigMap(c client.Reader) func(context.Context, client.Object) []reconcile.Request {
	return func(ctx context.Context, cm client.Object) []reconcile.Request {
		reqs := listSyncRequests(ctx, c, cm.GetNamespace(), indexSyncMapping, cm.GetName())
		var channels v1alpha1.SalesChannelList
		if err := c.List(ctx, &channels, client.InNamespace(cm.GetNamespace()),
			client.MatchingFields{indexChannelMapping: cm.GetName()}); err != nil {
			return reqs
		}
		for _, ch := range channels.Items {
			reqs = append(reqs, listSyncRequests(ctx, c, ch.Namespace, indexSalesChannel, ch.Name)...)
		}
		return reqs
	}
}

// mappingToken is the Secret key of a mapping read from a URL, if it has one.
func mappingToken(m *v1alpha1.CatalogMapping) *v1alpha1.SecretKeySelector {
	if m == nil || m.Feed == nil {
		return nil
	}
	return m.Feed.BearerTokenSecretRef
}
