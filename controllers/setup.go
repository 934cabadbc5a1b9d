// Package controllers holds the manager's reconcilers: SalesChannel and InventorySync. They
// are thin: the rules live in internal/policy and the rendered workloads in internal/workload.
package controllers

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/techoms/inventory-operator/internal/metrics"
	"github.com/techoms/inventory-operator/internal/workload"
)

// Options configure the reconcilers.
type Options struct {
	// Image is the image the sync Jobs run.
	Image string
	// SyncMemoryLimit is the sync containers' memory limit in bytes; zero for the default.
	SyncMemoryLimit int64
	// Relay is where sync pods of syncs with reservations read them.
	Relay workload.RelayAccess
	// Concurrency is how many objects of each kind are reconciled at once.
	Concurrency int
}

// Setup registers the field indexes and both reconcilers with mgr.
func Setup(ctx context.Context, mgr ctrl.Manager, o Options) error {
	image := o.Image
	if err := metrics.RegisterManager(ctrlmetrics.Registry); err != nil {
		return fmt.Errorf("registering metrics: %w", err)
	}
	if err := SetupIndexes(ctx, mgr); err != nil {
		return fmt.Errorf("registering indexes: %w", err)
	}
	// One memory of Secrets' key names for both reconcilers: a Secret both need is read once.
	secretKeys := NewSecretKeys(mgr.GetClient(), mgr.GetAPIReader())
	if err := (&SalesChannelReconciler{
		Client: mgr.GetClient(), SecretKeys: secretKeys,
		Recorder: boundedRecorder{mgr.GetEventRecorder("saleschannel-controller")}, Image: image, SyncMemoryLimit: o.SyncMemoryLimit, Relay: o.Relay,
	}).SetupWithManager(mgr, o.Concurrency); err != nil {
		return fmt.Errorf("setting up the SalesChannel controller: %w", err)
	}
	if err := (&InventorySyncReconciler{
		Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), SecretKeys: secretKeys,
		Mappings: NewMappings(mgr.GetClient(), mgr.GetAPIReader()),
		Recorder: boundedRecorder{mgr.GetEventRecorder("inventorysync-controller")}, Image: image, SyncMemoryLimit: o.SyncMemoryLimit, Relay: o.Relay,
	}).SetupWithManager(mgr, o.Concurrency); err != nil {
		return fmt.Errorf("setting up the InventorySync controller: %w", err)
	}
	return nil
}
