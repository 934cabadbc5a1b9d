package controllers

import (
	"context"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/workload"
)

// launcher creates the Jobs of one-off and manual runs, and of plans, owned by their
// InventorySync.
type launcher struct {
	client client.Client
	scheme *runtime.Scheme
	image  string
	// memoryLimit is the sync container's memory limit; zero for the default.
	memoryLimit int64
	relay       workload.RelayAccess
}

// launch creates the named Job for a run. Names are deterministic, so a run asked for twice
// (a reconcile retried after its status patch failed) is created once: created is false
// when the Job already existed. token, if any, is recorded on the Job: as the plan request
// it answers for a plan, as the sync request otherwise.
func (l launcher) launch(ctx context.Context, run workload.Run, name, token string) (created bool, err error) {
	run.Image, run.MemoryLimit, run.Relay = l.image, l.memoryLimit, l.relay
	if err := workload.CheckSecrets(run); err != nil {
		return false, err
	}
	tmpl := workload.JobTemplate(run)
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Name:      name,
			Namespace: run.Sync.Namespace,
			Labels:    tmpl.Labels,
		},
		Spec: tmpl.Spec,
	}
	if token != "" {
		key := workload.AnnotationSyncRequest
		if run.PlanOnly {
			key = workload.AnnotationPlanRequest
		}
		job.Annotations = map[string]string{key: token}
	}
	if err := controllerutil.SetControllerReference(run.Sync, job, l.scheme); err != nil {
		return false, err
	}
	if err := l.client.Create(ctx, job); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return false, nil
		}
		return false, fmt.Errorf("creating Job %s: %w", name, err)
	}
	return true, nil
}

// runFor is the run of a sync on its channel for a trigger.
func runFor(sync *v1alpha1.InventorySync, ch *v1alpha1.SalesChannel, trigger v1alpha1.Trigger, strategy v1alpha1.Strategy) workload.Run {
	return workload.Run{Sync: sync, Channel: ch, Trigger: trigger, Strategy: strategy}
}
