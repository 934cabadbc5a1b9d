package shopify

import "strings"

// How the connector reads Shopify's user errors, by code (docs/shopify.md cites each).

func isStale(code string) bool {
	return code == "CHANGE_FROM_QUANTITY_STALE" || code == "COMPARE_QUANTITY_STALE"
}

// transientCodes are the user errors after which the same call may succeed: Shopify applied
// nothing and asks to try again (ADJUST_QUANTITIES_FAILED, SERVICE_UNAVAILABLE), or another
// request with the same key is still running (IDEMPOTENCY_CONCURRENT_REQUEST).
var transientCodes = map[string]bool{
	"ADJUST_QUANTITIES_FAILED":       true,
	"SERVICE_UNAVAILABLE":            true,
	"IDEMPOTENCY_CONCURRENT_REQUEST": true,
}

func isTransient(ue userError) bool { return transientCodes[ue.Code] }

func isPreviousAttemptFailed(ue userError) bool {
	return ue.Code == "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"
}

// retryLater reports a user error after which the call can still succeed, sent again or
// under the next attempt key: when the attempts run out on it, the outcome is unknown, never
// a refusal.
func retryLater(ue userError) bool { return isTransient(ue) || isPreviousAttemptFailed(ue) }

func describeUserError(ue userError) string {
	if ue.Code == "" {
		return ue.Message
	}
	return ue.Code + ": " + ue.Message
}

func describeUserErrors(errs []userError) string {
	msgs := make([]string, len(errs))
	for i, ue := range errs {
		msgs[i] = describeUserError(ue)
	}
	return strings.Join(msgs, "; ")
}
