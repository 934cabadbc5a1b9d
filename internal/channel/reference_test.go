package channel

import (
	"context"
	"net/url"
	"testing"
)

func TestReference(t *testing.T) {
	tests := []struct {
		kind, id, want string
	}{
		{ReferenceSyncRun, "shop-sync-29312040", "gid://inventory-operator/SyncRun/shop-sync-29312040"},
		{ReferenceEvent, "evt 1/2?x#y", "gid://inventory-operator/InventoryEvent/evt%201%2F2%3Fx%23y"},
	}
	for _, tt := range tests {
		got := Reference(tt.kind, tt.id)
		if got != tt.want {
			t.Errorf("Reference(%q, %q) = %q, want %q", tt.kind, tt.id, got, tt.want)
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "gid" || u.Host != "inventory-operator" {
			t.Errorf("Reference(%q, %q) = %q is not a gid URI: %v", tt.kind, tt.id, got, err)
		}
	}
}

func TestReferenceTravelsInTheContext(t *testing.T) {
	if got := ReferenceFrom(context.Background()); got != "" {
		t.Fatalf("ReferenceFrom(empty) = %q", got)
	}
	ctx := WithReference(context.Background(), "gid://inventory-operator/SyncRun/r")
	if got := ReferenceFrom(ctx); got != "gid://inventory-operator/SyncRun/r" {
		t.Fatalf("ReferenceFrom = %q", got)
	}
}
