package syncrun

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// MaxResultBytes is the most a SyncResult's JSON takes: the kubelet keeps at most 4 KiB of a
// termination message.
const MaxResultBytes = 4096

// Bounds of the texts of a result, chosen so that ten failures and a message fit in
// MaxResultBytes with room to spare before Encode has to drop anything.
const (
	maxSKUBytes     = 96
	maxReasonBytes  = 160
	maxMessageBytes = 600
)

// Encode renders r as JSON of at most MaxResultBytes. Texts lose control characters (a
// termination message is read by people in kubectl's output) and are shortened; if escaping
// still makes the document too long, the message is shortened further and then failures are
// dropped from the end of the sample, then planned changes. The counts are always kept.
func Encode(r v1alpha1.SyncResult) []byte {
	r.Message = truncate(printable(r.Message), maxMessageBytes)
	r.Failures = append([]v1alpha1.SKUFailure(nil), r.Failures[:min(len(r.Failures), v1alpha1.MaxFailureSample)]...)
	for i := range r.Failures {
		r.Failures[i].SKU = truncate(printable(r.Failures[i].SKU), maxSKUBytes)
		r.Failures[i].Reason = truncate(printable(r.Failures[i].Reason), maxReasonBytes)
	}
	r.Changes = append([]v1alpha1.PlannedChange(nil), r.Changes[:min(len(r.Changes), v1alpha1.MaxChangeSample)]...)
	for i := range r.Changes {
		r.Changes[i].SKU = truncate(printable(r.Changes[i].SKU), maxSKUBytes)
		r.Changes[i].LimitedBy = truncate(printable(r.Changes[i].LimitedBy), maxSKUBytes)
	}
	for {
		out := marshal(r)
		switch {
		case len(out) <= MaxResultBytes:
			return out
		case len(r.Message) > minMessageBytes:
			r.Message = truncate(r.Message, len(r.Message)/2)
		case len(r.Failures) > 0:
			r.Failures = r.Failures[:len(r.Failures)-1]
		case len(r.Changes) > 0:
			r.Changes = r.Changes[:len(r.Changes)-1]
		default:
			r.Message = truncate(r.Message, len(r.Message)/2)
		}
	}
}

// minMessageBytes is how short Encode makes the message before it drops failures.
const minMessageBytes = 200

// marshal renders r without HTML escaping, which would triple the size of <, > and &.
func marshal(r v1alpha1.SyncResult) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		// A struct of strings and integers always marshals.
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// printable replaces control characters and invalid UTF-8 with spaces.
func printable(s string) string {
	clean := func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }
	if !strings.ContainsFunc(s, clean) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if clean(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
}

// truncate shortens s to at most n bytes, on a rune boundary, marking the cut with an
// ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	if n < len(ellipsis) {
		return ""
	}
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
