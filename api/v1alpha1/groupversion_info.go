// Package v1alpha1 holds the inventory.techoms.io/v1alpha1 API: SalesChannel, InventorySync,
// and SyncResult, the document a sync pod writes as its termination message.
// +kubebuilder:object:generate=true
// +groupName=inventory.techoms.io
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of the objects in this package.
	GroupVersion = schema.GroupVersion{Group: "inventory.techoms.io", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this package with a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
