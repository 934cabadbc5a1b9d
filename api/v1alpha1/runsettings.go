package v1alpha1

import "fmt"

// ValidateRunSettings checks how a run writes: its strategy and duplicate-SKU policy. The
// CRD's enums check these values in a spec; this checks them where they travel on, as a sync
// pod's arguments and a run's options.
func ValidateRunSettings(strategy Strategy, duplicates DuplicateSKUPolicy) error {
	switch {
	case strategy != StrategyAbsolute && strategy != StrategyIncremental:
		return fmt.Errorf("strategy must be %s or %s, got %q", StrategyAbsolute, StrategyIncremental, strategy)
	case duplicates != DuplicateSKUsSkip && duplicates != DuplicateSKUsUpdateAll:
		return fmt.Errorf("duplicate-SKU policy must be %s or %s, got %q", DuplicateSKUsSkip, DuplicateSKUsUpdateAll, duplicates)
	}
	return nil
}
