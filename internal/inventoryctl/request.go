package inventoryctl

import (
	"context"
	"encoding/json"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// newToken is the value of a request annotation: the time of the request, which is what a
// person would type, and new at each request, which is what makes the manager act on it.
func newToken(now time.Time) string { return now.UTC().Format(time.RFC3339Nano) }

// annotate sets one annotation with a merge patch, touching nothing else of the object, so
// that it needs only patch and does not race with the manager's status writes.
func annotate(ctx context.Context, c client.Client, obj client.Object, key, value string) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: value}}})
	if err != nil {
		return err
	}
	return c.Patch(ctx, obj, client.RawPatch(client.Merge.Type(), patch))
}
