package v1alpha1

import "testing"

func TestValidateRunSettings(t *testing.T) {
	for _, tc := range []struct {
		strategy   Strategy
		duplicates DuplicateSKUPolicy
		ok         bool
	}{
		{StrategyAbsolute, DuplicateSKUsSkip, true},
		{StrategyIncremental, DuplicateSKUsUpdateAll, true},
		{"Sometimes", DuplicateSKUsSkip, false},
		{StrategyAbsolute, "Merge", false},
		{"", "", false},
	} {
		if err := ValidateRunSettings(tc.strategy, tc.duplicates); (err == nil) != tc.ok {
			t.Errorf("ValidateRunSettings(%q, %q) = %v, want ok %v", tc.strategy, tc.duplicates, err, tc.ok)
		}
	}
}
