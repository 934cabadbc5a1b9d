package shopifyfake

import (
	"encoding/json"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// idempotentCall is the first outcome of a mutation run with an @idempotent key.
type idempotentCall struct {
	fingerprint string
	payload     any
}

// idempotency remembers outcomes by key for the life of the fake. It is only used by
// mutations, which run under the store's write lock.
type idempotency struct {
	byKey map[string]idempotentCall
}

// runIdempotent runs a mutation that Shopify (2026-04 and later) only accepts with
// @idempotent(key:). A repeated key with the same mutation and input returns the first
// outcome, whether it applied or reported userErrors, without running again; a repeated key
// with a different input gets mismatch's payload.
func (x *execution) runIdempotent(f *ast.Field, input any, run func() any, mismatch func() any) (any, error) {
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
		if prev.fingerprint != fingerprint {
			return mismatch(), nil
		}
		return prev.payload, nil
	}
	payload := run()
	if idem.byKey == nil {
		idem.byKey = map[string]idempotentCall{}
	}
	idem.byKey[key] = idempotentCall{fingerprint: fingerprint, payload: payload}
	return payload, nil
}
