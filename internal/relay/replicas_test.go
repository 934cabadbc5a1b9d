package relay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
	"github.com/techoms/inventory-operator/internal/channel/webhook/webhooktest"
	"github.com/techoms/inventory-operator/internal/ledger"
)

// The tests of this file run several relays on one ledger, as replicas of the Deployment do,
// and reproduce what a sender that retries on any replica, a crash and a channel outage do.

// lostAfterApply lets the channel apply the nth write it receives (counting from 1), then
// loses the answer: the request hangs until its sender gives up.
func lostAfterApply(n int32) (func(http.Handler) http.Handler, *atomic.Int32) {
	var writes atomic.Int32
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "levels/adjust") || writes.Add(1) != n {
				next.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(httptest.NewRecorder(), r)
			<-r.Context().Done()
		})
	}, &writes
}

// TestCoalescedWriteRetriedOnAnotherReplicaAppliesOnce: a relay coalesces two receipts (+3,
// +1) into one write; the channel applies it; the relay dies before recording the answer.
// The sender sends each event again, alone, to the other replica, which takes the channel
// location over, re-sends the recorded intent under its key, and answers both applied.
func TestCoalescedWriteRetriedOnAnotherReplicaAppliesOnce(t *testing.T) {
	lose, writes := lostAfterApply(2)
	entered := make(chan struct{})
	release := make(chan struct{})
	var first atomic.Bool
	hold := func(next http.Handler) http.Handler {
		inner := lose(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "levels/adjust") && first.CompareAndSwap(false, true) {
				close(entered)
				<-release
			}
			inner.ServeHTTP(w, r)
		})
	}
	e := newTestEnv(t, envOptions{config: Config{LeaseTTL: time.Second}, receiverHandler: hold,
		handler: HandlerOptions{ResponseTimeout: 300 * time.Millisecond}})
	// Registered after the relay's servers, so it runs before they close: a held request
	// never keeps them from closing.
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce)
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	self := &replica{svc: e.svc, api: e.api}

	// The first relay alone takes the channel location; the second starts once it holds it.
	go e.postTo(self, receipt("held", 1))
	<-entered
	l := e.laneOf(t, "hook")
	other := e.addReplica("relay-1")
	go e.postTo(self, receipt("rcpt-a", 3), receipt("rcpt-b", 1))
	waitFor(t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return len(l.queue) == 2 })
	releaseOnce()
	waitFor(t, func() bool { return writes.Load() >= 2 && e.receiver.Stats().Writes >= 2 })
	e.svc.Kill()

	for _, ev := range []Event{receipt("rcpt-a", 3), receipt("rcpt-b", 1)} {
		deadline := time.Now().Add(20 * time.Second)
		for {
			status, resp := e.postTo(other, ev)
			if status == http.StatusOK && channelResult(t, resp.Results[0], "hook").Status == StatusPushed {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s on the other replica: status %d %+v", ev.ID, status, resp)
			}
		}
	}
	if got, want := e.level(hook), int64(initialQuantity+1+3+1); got != want {
		t.Fatalf("hook shows %d, want %d: an increment was applied twice or lost", got, want)
	}
	keys := map[string]bool{}
	for _, id := range []string{"rcpt-a", "rcpt-b"} {
		c, _, err := other.svc.store.Claim(context.Background(), ledger.ClaimKey(ledger.Lane{Namespace: testNamespace, Channel: "hook", Location: hook.location}, id))
		if err != nil || c.State != ledger.Settled || c.WriteKey == "" {
			t.Fatalf("claim of %s: %+v %v", id, c, err)
		}
		keys[c.WriteKey] = true
	}
	if len(keys) != 1 {
		t.Errorf("the two events were recorded in %d writes, want the one coalesced write", len(keys))
	}
}

// TestSameEventRacingOnTwoReplicasAppliesOnce: the same event reaches two replicas at once,
// each time beside another event, three rounds; then every applied event is sent again to
// the replica that did not take it.
func TestSameEventRacingOnTwoReplicasAppliesOnce(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	other := e.addReplica("relay-1")
	self := &replica{svc: e.svc, api: e.api}
	want := int64(initialQuantity)
	for round := range 3 {
		shared := receipt("shared-"+string(rune('a'+round)), -5)
		var wg sync.WaitGroup
		for i, r := range []*replica{self, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				own := receipt("own-"+string(rune('a'+round))+string(rune('0'+i)), 1)
				if status, resp := e.postTo(r, own, shared); status != http.StatusOK {
					t.Errorf("round %d replica %d: %d %+v", round, i, status, resp)
				}
			}()
		}
		wg.Wait()
		want += -5 + 2
	}
	for round := range 3 {
		for i, r := range []*replica{self, other} {
			own := receipt("own-"+string(rune('a'+round))+string(rune('0'+1-i)), 1)
			status, resp := e.postTo(r, own)
			if cr := channelResult(t, resp.Results[0], "hook"); status != http.StatusOK || cr.Status != StatusPushed || !cr.Replayed {
				t.Errorf("re-sent %s: %d %+v, want Pushed replayed", own.ID, status, cr)
			}
		}
	}
	if got := e.level(hook); got != want {
		t.Fatalf("hook shows %d, want %d", got, want)
	}
}

// TestChannelOutageIsRetriedByTheRelay: the channel answers 503 for a while when a receipt
// arrives; the sender posts it once. The relay answers Accepted, retries until the channel
// answers, and the receipt is applied once.
func TestChannelOutageIsRetriedByTheRelay(t *testing.T) {
	e := newTestEnv(t, envOptions{config: Config{Connect: webhookConnectorOnce}, handler: HandlerOptions{ResponseTimeout: 200 * time.Millisecond}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	e.post(receipt("warm", 1)) // the item is cached: the outage meets the write
	for range 8 {
		e.receiver.Inject(webhooktest.Injected{Status: http.StatusServiceUnavailable})
	}
	status, resp, _ := e.post(receipt("rcpt-outage", 5))
	if cr := channelResult(t, resp.Results[0], "hook"); status != http.StatusOK || cr.Status != StatusAccepted {
		t.Fatalf("during the outage: %d %+v, want 200 Accepted", status, cr)
	}
	waitFor(t, func() bool { return e.level(hook) == initialQuantity+1+5 })
	waitFor(t, func() bool {
		er, _, _ := e.svc.Outcome(context.Background(), "rcpt-outage")
		return er.Channels[0].Status == StatusPushed
	})
	er, found, err := e.svc.Outcome(context.Background(), "rcpt-outage")
	if err != nil || !found || er.Channels[0].Status != StatusPushed {
		t.Fatalf("outcome after the outage: %+v %v %v", er, found, err)
	}
	if e.svc.Stats().Retries == 0 {
		t.Error("no write was retried")
	}
	if got := e.level(hook); got != initialQuantity+1+5 {
		t.Errorf("hook shows %d, want %d", got, initialQuantity+1+5)
	}
}

// TestOlderLevelOnAnotherReplicaIsSuperseded: two levels of one SKU, with sequences, reach
// two replicas out of order under allocation rules: the older one is written nowhere.
func TestOlderLevelOnAnotherReplicaIsSuperseded(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	e.scope.Channels[0].Spec.Inventory.Allocation = &v1alpha1.AllocationRules{Buffer: ptr(5)}
	e.dir.Set(e.scope)
	other := e.addReplica("relay-1")
	level := func(id string, before, after, seq int64) Event {
		return Event{ID: id, Trigger: TriggerAPIBulkUpdate, SKU: testSKU, FulfillmentChannel: testWarehouse, QuantityBefore: ptr(before), QuantityAfter: ptr(after), Sequence: ptr(seq)}
	}
	status, resp, _ := e.post(level("lvl-8", 17, 12, 8))
	if cr := channelResult(t, resp.Results[0], "hook"); status != http.StatusOK || cr.Status != StatusPushed {
		t.Fatalf("newer level: %d %+v", status, cr)
	}
	status, resp2 := e.postTo(other, level("lvl-7", 20, 17, 7))
	if cr := channelResult(t, resp2.Results[0], "hook"); status != http.StatusOK || cr.Status != StatusNotApplicable || cr.Reason != ReasonSuperseded {
		t.Fatalf("older level: %d %+v, want NotApplicable/Superseded", status, cr)
	}
	if got := e.level(hook); got != 12-5 {
		t.Fatalf("hook shows %d, want %d (the newer level less the buffer)", got, 12-5)
	}
}

// forgetfulChannel applies its first write and loses the answer, then takes every later
// write under a key of its own, as a channel that does not deduplicate idempotency keys does.
type forgetfulChannel struct {
	channel.Connector
	writes atomic.Int32
}

func (f *forgetfulChannel) Write(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change) ([]channel.ChangeResult, error) {
	n := f.writes.Add(1)
	if n == 1 {
		if _, err := f.Connector.Write(ctx, strategy, key, changes); err != nil {
			return nil, err
		}
		return nil, errors.New("connection reset after the write")
	}
	return f.Connector.Write(ctx, strategy, fmt.Sprintf("%s-%d", key, n), changes)
}

// TestResendToAChannelIgnoringKeysIsNotAppliedTwice: the answer to a write is lost and the
// channel ignores idempotency keys. The relay's re-send carries the quantity the first was
// written against, so the channel refuses it as stale: the event is reported, not applied
// twice.
func TestResendToAChannelIgnoringKeysIsNotAppliedTwice(t *testing.T) {
	var forgetful *forgetfulChannel
	connect := func(ch *v1alpha1.SalesChannel, location string, credential []byte) (channel.Connector, error) {
		conn, err := webhookConnectorOnce(ch, location, credential)
		if err != nil {
			return nil, err
		}
		forgetful = &forgetfulChannel{Connector: conn}
		return forgetful, nil
	}
	e := newTestEnv(t, envOptions{config: Config{Connect: connect}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	_, resp, _ := e.post(receipt("once", 5))
	if got := channelResult(t, resp.Results[0], "hook"); got.Status != StatusFailed || got.Reason != ReasonOutcomeUnknown {
		t.Fatalf("answer: %+v, want Failed/OutcomeUnknown (reported, not applied twice)", got)
	}
	if got := e.level(hook); got != initialQuantity+5 {
		t.Fatalf("hook shows %d, want %d: applied once", got, initialQuantity+5)
	}
	if n := forgetful.writes.Load(); n != 2 {
		t.Errorf("%d writes, want the write and its one re-send", n)
	}
	// The reported event is not reopened by a retry: it may have applied.
	_, resp, _ = e.post(receipt("once", 5))
	if got := channelResult(t, resp.Results[0], "hook"); got.Reason != ReasonOutcomeUnknown {
		t.Errorf("retry: %+v, want the recorded OutcomeUnknown", got)
	}
	if got := e.level(hook); got != initialQuantity+5 {
		t.Errorf("hook shows %d after the retry, want %d", got, initialQuantity+5)
	}
}

// TestIncrementMeetingAStoreChangeIsWrittenFromTheNewQuantity: an order in the store moves
// the item between the lane's read and its write; the write is stale, the lane reads again
// and the increment is applied on top of the order, once.
func TestIncrementMeetingAStoreChangeIsWrittenFromTheNewQuantity(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	e.post(receipt("first", 1)) // the lane knows the item shows 101
	e.receiver.Put(hook.location, channel.Item{ID: hook.itemID, SKU: testSKU, Quantity: initialQuantity + 1 - 4})
	_, resp, _ := e.post(receipt("second", 2))
	if got := channelResult(t, resp.Results[0], "hook"); got.Status != StatusPushed {
		t.Fatalf("answer: %+v", got)
	}
	if got, want := e.level(hook), int64(initialQuantity+1-4+2); got != want {
		t.Errorf("hook shows %d, want %d", got, want)
	}
}
