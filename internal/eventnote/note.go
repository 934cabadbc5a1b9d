// Package eventnote keeps an Event's note within what the API server accepts. The
// events.k8s.io/v1 API rejects a note longer than 1 KiB, and a rejected Event is dropped:
// the failure it reports (often the one a person most needs to see) would vanish.
package eventnote

import "unicode/utf8"

// MaxBytes is the longest note, in bytes, the API server accepts.
const MaxBytes = 1024

// ellipsis ends a shortened note, so a reader knows there was more.
const ellipsis = "…"

// Bound returns note unchanged when it fits in MaxBytes, or else its longest prefix that
// ends on a whole UTF-8 character, followed by an ellipsis, within MaxBytes.
func Bound(note string) string {
	if len(note) <= MaxBytes {
		return note
	}
	cut := MaxBytes - len(ellipsis)
	// Step back to the start of a character, so no rune is split.
	for cut > 0 && !utf8.RuneStart(note[cut]) {
		cut--
	}
	return note[:cut] + ellipsis
}
