package controllers

import (
	"context"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/egress"
)

// observeMapping validates the catalog mapping the sync's runs use (its own, else its
// channel's) and reports it: status.mapping says where it comes from and how many rows it
// has, MappingValid whether runs can use it. An unusable ConfigMap mapping blocks runs: they
// would fail before writing anything. A mapping read from a URL is never fetched by the
// manager (it would reach whatever the URL names from the manager's network): its token is
// checked, and the runs validate it and report its rows.
func (r *InventorySyncReconciler) observeMapping(ctx context.Context, o *syncObservation) error {
	sync := o.sync
	m := v1alpha1.EffectiveMapping(sync, o.channel)
	if m == nil {
		sync.Status.Mapping = nil
		o.conds.remove(v1alpha1.ConditionMappingValid)
		return nil
	}
	st := &v1alpha1.MappingStatus{From: "SalesChannel", Unmapped: m.Unmapped}
	if sync.Spec.Mapping != nil {
		st.From = "InventorySync"
	}
	if st.Unmapped == "" {
		st.Unmapped = v1alpha1.UnmappedSelf
	}
	sync.Status.Mapping = st
	if feed := m.Feed; feed != nil {
		st.Source = "feed " + egress.URL(feed.URL)
		if ref := feed.BearerTokenSecretRef; ref != nil {
			b, err := r.SecretKeys.check(ctx, sync.Namespace, *ref, "catalog mapping's bearer token")
			if err != nil {
				return err
			}
			if b != nil {
				o.block(b)
				o.conds.set(v1alpha1.ConditionMappingValid, metav1.ConditionFalse, b.Reason, b.Message)
				return nil
			}
		}
		o.conds.set(v1alpha1.ConditionMappingValid, metav1.ConditionUnknown, v1alpha1.ReasonValidatedByRuns,
			fmt.Sprintf("%s (from the %s) is read and validated by each run, before it writes anything; lastRun.mapping has its rows", st.Source, st.From))
		return nil
	}
	if m.ConfigMapRef == nil {
		return nil
	}
	st.Source = fmt.Sprintf("ConfigMap %s, key %s", m.ConfigMapRef.Name, m.ConfigMapRef.Key)
	summary, problem, err := r.Mappings.check(ctx, sync.Namespace, *m.ConfigMapRef, m.Unmapped)
	if err != nil {
		return err
	}
	if problem != nil {
		o.block(problem)
		o.conds.set(v1alpha1.ConditionMappingValid, metav1.ConditionFalse, problem.Reason, problem.Message)
		return nil
	}
	st.Rows, st.Kits, st.Aliases = summary.rows, summary.kits, summary.aliases
	o.conds.set(v1alpha1.ConditionMappingValid, metav1.ConditionTrue, v1alpha1.ReasonMappingLoaded,
		fmt.Sprintf("%s (from the %s): %d rows, %d kits, %d aliases", st.Source, st.From, st.Rows, st.Kits, st.Aliases))
	return nil
}

// mappingRowsFromRuns fills the rows of a mapping read from a URL from the last run that
// read it, the manager having no other way to know them.
func mappingRowsFromRuns(sync *v1alpha1.InventorySync) {
	st, last := sync.Status.Mapping, sync.Status.LastRun
	if st == nil || !strings.HasPrefix(st.Source, "feed ") || last == nil || last.Mapping == nil {
		return
	}
	st.Rows = last.Mapping.Rows
}
