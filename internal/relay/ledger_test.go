package relay

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// TestLedgerIsBoundedInBytes fills a ledger with settled entries of short and long ids and
// checks that it never counts more than its bytes, forgets the oldest first, keeps pending
// entries, and counts what an in-doubt entry keeps.
func TestLedgerIsBoundedInBytes(t *testing.T) {
	lane := laneKey{namespace: testNamespace, channel: "shop", location: "loc"}
	var digest [sha256.Size]byte
	for _, idLen := range []int{36, 200} {
		const budget = 100 * (entryBytes + 200)
		l := NewLedger(budget, 0)
		id := func(n int) string { return fmt.Sprintf("%0*d", idLen, n) }
		pendingClaim, _ := l.claim([]ledgerKey{{eventID: id(0), lane: lane}}, digest)
		for n := 1; n <= 1000; n++ {
			claims, _ := l.claim([]ledgerKey{{eventID: id(n), lane: lane}}, digest)
			l.settle(claims[0].entry, outcome{status: StatusPushed}, true, nil)
			if l.Bytes() > budget {
				t.Fatalf("ids of %d bytes: %d bytes counted after %d entries, over %d", idLen, l.Bytes(), n, budget)
			}
		}
		perEntry := int64(entryBytes + idLen)
		if got, want := int64(l.Len()), budget/perEntry; got != want {
			t.Errorf("ids of %d bytes: %d entries remembered, want %d", idLen, got, want)
		}
		if _, ok := l.entries[ledgerKey{eventID: id(0), lane: lane}]; !ok {
			t.Errorf("the pending entry was forgotten")
		}
		if _, ok := l.entries[ledgerKey{eventID: id(1), lane: lane}]; ok {
			t.Errorf("the oldest settled entry is still remembered")
		}
		if _, ok := l.entries[ledgerKey{eventID: id(1000), lane: lane}]; !ok {
			t.Errorf("the newest entry was forgotten")
		}
		// A write kept for a re-send is counted, shared among its events.
		sent := newSentWrite("key", "Incremental", nil)
		sent.addEvent(pendingClaim[0].key, nil)
		l.settle(pendingClaim[0].entry, outcome{status: StatusFailed, reason: ReasonOutcomeUnknown}, false, sent)
		if got, want := cost(pendingClaim[0].entry), perEntry+sent.bytes+1; got != want || l.Bytes() > budget {
			t.Errorf("an in-doubt entry counts %d bytes, want %d with its write; ledger at %d of %d", got, want, l.Bytes(), budget)
		}
	}
}

// TestLedgerEntriesShareTheirLane: entries of one lane hold one copy of its strings, however
// many copies the requests carried.
func TestLedgerEntriesShareTheirLane(t *testing.T) {
	l := NewLedger(DefaultLedgerBytes, 0)
	var digest [sha256.Size]byte
	var first laneKey
	for n := range 3 {
		lane := laneKey{namespace: strings.Clone(testNamespace), channel: strings.Clone("shop"), location: strings.Clone("loc")}
		claims, _ := l.claim([]ledgerKey{{eventID: fmt.Sprint(n), lane: lane}}, digest)
		if n == 0 {
			first = claims[0].entry.key.lane
		} else if got := claims[0].entry.key.lane; unsafe.StringData(got.location) != unsafe.StringData(first.location) {
			t.Errorf("entry %d holds its own copy of the lane", n)
		}
	}
}
