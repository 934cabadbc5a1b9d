package syncrun

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// supersededBy says whether levels true at snapshot are older than the snapshot an earlier
// run already wrote. An equal snapshot is not older: a feed that has not changed is written
// again, which puts back what moved on the channel since. Status keeps times to the second,
// so they are compared to the second.
func supersededBy(snapshot, written time.Time) bool {
	return !written.IsZero() && snapshot.Truncate(time.Second).Before(written.Truncate(time.Second))
}

// superseded is the report of a run that wrote nothing because its feeds were older than
// what the channel already shows. It compared no SKU, so it reports none read: the counts
// still add up, and the message says why.
func superseded(snapshot, written time.Time) Report {
	return Report{Status: Succeeded, Result: v1alpha1.SyncResult{
		Superseded: true,
		Message: fmt.Sprintf("superseded: the feeds' snapshot %s is older than the snapshot %s an earlier run wrote; nothing written",
			snapshot.UTC().Format(time.RFC3339), written.UTC().Format(time.RFC3339)),
		SnapshotTime: &metav1.Time{Time: snapshot},
	}}
}
