package controllers

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// patchStatus is the one status write of a reconcile: a merge patch of what changed, skipped
// when nothing did.
func patchStatus(ctx context.Context, c client.Client, obj, before client.Object, unchanged bool) error {
	if unchanged {
		return nil
	}
	return client.IgnoreNotFound(c.Status().Patch(ctx, obj, client.MergeFrom(before)))
}

// specOrAnnotationChanged lets through what can change a reconcile's outcome, and not the
// manager's own status writes.
var specOrAnnotationChanged = predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{})
