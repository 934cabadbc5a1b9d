package v1alpha1

import "testing"

func TestIsOperatorSecret(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
		want   bool
	}{
		{RelayTokensSecret, nil, true},
		{RelayTLSSecret, nil, true},
		{"prod-inventory-relay-tokens", map[string]string{LabelOperatorSecret: "true"}, true},
		{"shop-token", map[string]string{LabelOperatorSecret: "false"}, false},
		{"shop-token", nil, false},
		{"inventory-relay-tokens-backup", nil, false},
	}
	for _, tt := range tests {
		if got := IsOperatorSecret(tt.name, tt.labels); got != tt.want {
			t.Errorf("IsOperatorSecret(%q, %v) = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}
