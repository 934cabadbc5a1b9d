package shopifytest

import (
	"encoding/json"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// idempotentCall is the first outcome of a mutation run with an @idempotent key.
type idempotentCall struct {
	fingerprint string
	payload     any
	// failed is set when the request failed on the shop's side: Shopify refuses the key from
	// then on, and the caller must retry with a new one.
	failed bool
}

// idempotency remembers outcomes by key for the life of the fake. It is only used by
// mutations, which run under the store's write lock.
type idempotency struct {
	byKey map[string]idempotentCall
}

// idempotencyKeyMessages are Shopify's texts for the idempotency user error codes.
var idempotencyKeyMessages = map[string]string{
	"IDEMPOTENCY_KEY_PARAMETER_MISMATCH":  "The same idempotency key cannot be used with different operation parameters.",
	"IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED": "A previous request with this idempotency key failed. Retry with a new idempotency key.",
}

func idempotencyKeyError(code string) userError {
	return userError{message: idempotencyKeyMessages[code], code: code}
}

// keyErrorPayload builds a mutation's payload carrying one user error.
type keyErrorPayload func(ue userError) any

// runIdempotent runs a mutation that Shopify (2026-04 and later) only accepts with
// @idempotent(key:). A repeated key with the same mutation and input returns the first
// outcome, whether it applied or reported userErrors, without running again; a repeated key
// with a different input gets keyError("IDEMPOTENCY_KEY_PARAMETER_MISMATCH"); a key whose
// first request failed (FailKeyedRequests, AnswerTransient) gets
// keyError("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"). An answer AnswerTransient asks for comes
// before the mutation runs.
func (x *execution) runIdempotent(f *ast.Field, input any, run func() any, keyError keyErrorPayload) (any, error) {
	d := f.Directives.ForName("idempotent")
	if d == nil {
		return nil, errorf("BAD_REQUEST", "The @idempotent directive is required for the %s mutation. Provide an idempotency key with @idempotent(key: \"...\").", f.Name)
	}
	key, _ := d.ArgumentMap(x.vars)["key"].(string)
	if strings.TrimSpace(key) == "" {
		return nil, errorf("BAD_REQUEST", "The idempotency key cannot be an empty string or whitespace only.")
	}
	data, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	fingerprint := f.Name + ":" + string(data)
	idem := &x.h.idempotency
	if prev, ok := idem.byKey[key]; ok {
		x.h.countReplay()
		switch {
		case prev.failed:
			return keyError(idempotencyKeyError("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED")), nil
		case prev.fingerprint != fingerprint:
			return keyError(idempotencyKeyError("IDEMPOTENCY_KEY_PARAMETER_MISMATCH")), nil
		}
		return prev.payload, nil
	}
	if idem.byKey == nil {
		idem.byKey = map[string]idempotentCall{}
	}
	if ue, failKey, ok := x.takeTransient(f); ok {
		if failKey {
			idem.byKey[key] = idempotentCall{fingerprint: fingerprint, failed: true}
		}
		return keyError(ue), nil
	}
	if status, ok := x.h.takeKeyedFailure(); ok {
		idem.byKey[key] = idempotentCall{fingerprint: fingerprint, failed: true}
		x.failStatus = status
		return nil, nil
	}
	payload := run()
	idem.byKey[key] = idempotentCall{fingerprint: fingerprint, payload: payload}
	return payload, nil
}
