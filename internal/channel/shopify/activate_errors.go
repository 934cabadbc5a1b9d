package shopify

import "strings"

// inventoryActivate answers with the plain UserError, which has no code, so the idempotency
// errors Shopify gives every @idempotent mutation can only be told apart by their text. The
// texts are those of the 2026-10 schema's InventorySetQuantitiesUserErrorCode (and of the
// adjust mutation's): IDEMPOTENCY_CONCURRENT_REQUEST "This request is currently in progress,
// please try again." (an older text reads "inprogress") and IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED
// "A previous request with this idempotency key failed. Retry with a new idempotency key.".
// Shopify does not document that inventoryActivate uses the same texts, so an error that
// matches neither and names no argument is not taken as a refusal: the outcome is unknown.

type activateError int

const (
	// activateRefused: a user error names an argument (the item or the location): the item
	// cannot be stocked there.
	activateRefused activateError = iota
	activateConcurrentRequest
	activatePreviousAttemptFailed
	// activateUnknown: nothing says whether the item was stocked.
	activateUnknown
)

// activateErrorKind classifies an inventoryActivate answer's user errors (at least one).
func activateErrorKind(errs []userError) activateError {
	for _, ue := range errs {
		msg := strings.ToLower(ue.Message)
		switch {
		case ue.Code == "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", strings.Contains(msg, "previous request with this idempotency key failed"):
			return activatePreviousAttemptFailed
		case ue.Code == "IDEMPOTENCY_CONCURRENT_REQUEST", strings.Contains(msg, "currently in progress"), strings.Contains(msg, "currently inprogress"):
			return activateConcurrentRequest
		}
	}
	for _, ue := range errs {
		if len(ue.Field) > 0 {
			return activateRefused
		}
	}
	return activateUnknown
}
