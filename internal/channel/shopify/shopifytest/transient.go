package shopifytest

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// Shopify's user error codes that ask the caller to try again: nothing was applied and the
// same call may succeed later.
const (
	// AdjustQuantitiesFailed: "The quantities couldn't be adjusted. Try again."
	AdjustQuantitiesFailed = "ADJUST_QUANTITIES_FAILED"
	// ServiceUnavailable: "The service is temporarily unavailable. Try again later."
	ServiceUnavailable = "SERVICE_UNAVAILABLE"
	// ConcurrentRequest: "This request is currently in progress, please try again."
	ConcurrentRequest = "IDEMPOTENCY_CONCURRENT_REQUEST"
)

// transientMessages are the texts that go with the codes. The connector relies on the codes;
// the texts matter where a mutation's UserError has no code (inventoryActivate).
var transientMessages = map[string]string{
	AdjustQuantitiesFailed: "The quantities couldn't be adjusted. Try again.",
	ServiceUnavailable:     "The service is temporarily unavailable. Try again later.",
	ConcurrentRequest:      "This request is currently in progress, please try again.",
}

// transientFault is AnswerTransient's setting.
type transientFault struct {
	left int
	code string
}

// AnswerTransient makes the next n idempotent mutations whose user errors can carry code
// answer it as their only user error, applying nothing. Shopify documents these codes as
// "try again": ADJUST_QUANTITIES_FAILED and SERVICE_UNAVAILABLE for inventoryAdjustQuantities,
// IDEMPOTENCY_CONCURRENT_REQUEST for every mutation taking @idempotent. A mutation whose error
// enum lacks code (per the 2026-10 schema) runs as usual and does not use one of the n;
// inventoryActivate, whose UserError has no code, gets the message alone, and only for
// IDEMPOTENCY_CONCURRENT_REQUEST, the one code that applies to every idempotent mutation.
//
// A concurrent request leaves the key unused: the request still running is another one.
// ADJUST_QUANTITIES_FAILED and SERVICE_UNAVAILABLE are failures of this request inside the
// shop, so its key is marked failed as FailKeyedRequests does: a retry under the same key gets
// IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED. Shopify does not document what a key whose request
// answered them does next; this is the reading the previous-attempt code's text suggests.
func (h *Handler) AnswerTransient(n int, code string) {
	if _, ok := transientMessages[code]; !ok {
		panic(fmt.Sprintf("shopifytest: %q is not a transient user error code", code))
	}
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	h.faults.transient = transientFault{left: n, code: code}
}

// takeTransient uses up one AnswerTransient answer when one is due and the mutation f can
// answer it, and returns the user error to answer and whether the key is to be marked failed.
func (x *execution) takeTransient(f *ast.Field) (userError, bool, bool) {
	h := x.h
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	t := &h.faults.transient
	if t.left <= 0 {
		return userError{}, false, false
	}
	hasCode, ok := x.userErrorCodes(f, t.code)
	if !ok {
		return userError{}, false, false
	}
	t.left--
	ue := userError{message: transientMessages[t.code]}
	if hasCode {
		ue.code = t.code
	}
	return ue, t.code != ConcurrentRequest, true
}

// userErrorCodes reports whether mutation f's user errors carry a code, and whether they can
// report code: from its error enum, or, for a plain UserError, only for a concurrent request.
func (x *execution) userErrorCodes(f *ast.Field, code string) (hasCode, ok bool) {
	if f.Definition == nil {
		return false, false
	}
	payload := x.h.schema.Types[f.Definition.Type.Name()]
	if payload == nil || payload.Fields.ForName("userErrors") == nil {
		return false, false
	}
	errType := x.h.schema.Types[payload.Fields.ForName("userErrors").Type.Name()]
	codeField := errType.Fields.ForName("code")
	if codeField == nil {
		return false, code == ConcurrentRequest
	}
	enum := x.h.schema.Types[codeField.Type.Name()]
	return true, enum != nil && enum.EnumValues.ForName(code) != nil
}
