package relay

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/techoms/inventory-operator/api/v1alpha1"
	"github.com/techoms/inventory-operator/internal/channel"
)

// script drives the connectors of a test: they write through the real connector,
// but refuse, as a channel answering 422 would, every call that carries a change of
// refuseSKU, and can hold the next call open until the test releases it. It records every
// call.
type script struct {
	mu        sync.Mutex
	refuseSKU string
	calls     []recordedCall
	gate      *gate
}

type recordedCall struct {
	key     string
	changes []channel.Change
	refused bool
}

// gate holds one call: entered receives when the call is waiting, release lets it go.
type gate struct{ entered, release chan struct{} }

// holdNextCall makes the next call wait for the returned gate.
func (s *script) holdNextCall() *gate {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate = &gate{entered: make(chan struct{}), release: make(chan struct{})}
	return s.gate
}

// holdCall posts an event whose call the script holds and returns once the call waits;
// release lets it go and waits for the request's answer. The test's end releases it at the
// latest.
func (e *testEnv) holdCall(s *script, id string) (release func()) {
	e.t.Helper()
	g := s.holdNextCall()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); e.post(receipt(id, 1)) }()
	<-g.entered
	release = sync.OnceFunc(func() { close(g.release); wg.Wait() })
	e.t.Cleanup(release)
	return release
}

func (s *script) recorded() []recordedCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *script) connect(ch *v1alpha1.SalesChannel, location string, credential []byte) (channel.Connector, error) {
	conn, err := webhookConnectorOnce(ch, location, credential)
	if err != nil {
		return nil, err
	}
	return &scriptedConnector{Connector: conn, script: s}, nil
}

type scriptedConnector struct {
	channel.Connector
	script *script
}

func (c *scriptedConnector) Write(ctx context.Context, strategy v1alpha1.Strategy, key string, changes []channel.Change) ([]channel.ChangeResult, error) {
	s := c.script
	s.mu.Lock()
	refused := s.refuseSKU != "" && slices.ContainsFunc(changes, func(ch channel.Change) bool { return ch.SKU == s.refuseSKU })
	s.calls = append(s.calls, recordedCall{key: key, changes: slices.Clone(changes), refused: refused})
	g := s.gate
	s.gate = nil
	s.mu.Unlock()
	if g != nil {
		g.entered <- struct{}{}
		<-g.release
	}
	if refused {
		return nil, channel.Refused("item with SKU %s is archived", s.refuseSKU)
	}
	return c.Connector.Write(ctx, strategy, key, changes)
}

// queueBehindHeldCall holds the channel's next call on a request of one event, sends events
// in one request while it is held, so they queue and are coalesced into one batch, releases
// the held call and returns the answer to events.
func (e *testEnv) queueBehindHeldCall(s *script, channelName string, events ...Event) (int, Response) {
	e.t.Helper()
	g := s.holdNextCall()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); e.post(receipt("held-"+events[0].ID, 1)) }()
	<-g.entered
	var status int
	var resp Response
	go func() { defer wg.Done(); status, resp, _ = e.post(events...) }()
	l := e.laneOf(e.t, channelName)
	waitFor(e.t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return len(l.queue) == len(events) })
	close(g.release)
	wg.Wait()
	return status, resp
}

// putItems gives the channel's location an item, showing initialQuantity, for each SKU.
func (e *testEnv) putItems(c *testChannel, skus ...string) {
	for _, sku := range skus {
		e.receiver.Put(c.location, channel.Item{ID: "item-" + sku, SKU: sku, Quantity: initialQuantity})
	}
}

func (e *testEnv) levelOf(c *testChannel, sku string) int64 {
	item, ok := e.receiver.Item(c.location, "item-"+sku)
	if !ok {
		e.t.Fatalf("no item for %s", sku)
	}
	return item.Quantity
}

func receiptOf(id, sku string, inc int64) Event {
	ev := receipt(id, inc)
	ev.SKU = sku
	return ev
}

// TestRefusedEventIsIsolatedFromItsBatch: four events coalesced into one call, one of which
// the channel refuses. The call is split until the refused event stands alone: it fails with
// the channel's reason, the three others are applied, and nothing is kept for a re-send.
func TestRefusedEventIsIsolatedFromItsBatch(t *testing.T) {
	s := &script{refuseSKU: "BAD"}
	e := newTestEnv(t, envOptions{config: Config{Connect: s.connect}})
	hook := e.addChannel("hook", v1alpha1.PlatformWebhook, v1alpha1.ModeRealTimeAdjustment, "")
	e.putItems(hook, "A", "B", "BAD", "C")

	status, resp := e.queueBehindHeldCall(s, "hook", receiptOf("a", "A", 1), receiptOf("b", "B", 2), receiptOf("bad", "BAD", 3), receiptOf("c", "C", 4))
	if status != http.StatusOK || len(resp.Results) != 4 {
		t.Fatalf("status %d, answer %+v", status, resp)
	}
	for i, er := range resp.Results {
		got := channelResult(t, er, "hook")
		switch {
		case i == 2 && (got.Status != StatusFailed || got.Reason != ReasonChannelRefused || !strings.Contains(got.Message, "archived")):
			t.Errorf("refused event: %+v, want Failed ChannelRefused with the channel's reason", got)
		case i != 2 && got.Status != StatusPushed:
			t.Errorf("event %s: %+v, want Pushed", er.ID, got)
		}
	}
	for sku, want := range map[string]int64{"A": initialQuantity + 1, "B": initialQuantity + 2, "BAD": initialQuantity, "C": initialQuantity + 4} {
		if got := e.levelOf(hook, sku); got != want {
			t.Errorf("%s shows %d, want %d", sku, got, want)
		}
	}
	// The held call, the batch of four, then halves until the refused event is alone:
	// [A B] applied, [BAD C] refused, [BAD] refused, [C] applied.
	calls := s.recorded()
	var shapes []string
	keys := map[string]bool{}
	for _, c := range calls[1:] {
		var skus []string
		for _, ch := range c.changes {
			skus = append(skus, ch.SKU)
		}
		shapes = append(shapes, strings.Join(skus, " "))
		if keys[c.key] {
			t.Errorf("key %s sent twice", c.key)
		}
		keys[c.key] = true
	}
	if want := []string{"A B BAD C", "A B", "BAD C", "BAD", "C"}; !slices.Equal(shapes, want) {
		t.Errorf("calls %q, want %q", shapes, want)
	}

	// Sent again, the refused event is a new attempt, not a re-send of a kept write.
	before := len(s.recorded())
	_, resp, _ = e.post(receiptOf("bad", "BAD", 3))
	if got := channelResult(t, resp.Results[0], "hook"); got.Status != StatusFailed || got.Reason != ReasonChannelRefused {
		t.Errorf("refused event sent again: %+v", got)
	}
	if calls := s.recorded(); len(calls) != before+1 || len(calls[before].changes) != 1 || calls[before].changes[0].SKU != "BAD" {
		t.Errorf("calls after sending the refused event again: %+v, want one call of BAD alone", calls[before:])
	}
	if st := e.receiver.Stats(); st.Replays != 0 {
		t.Errorf("receiver replays = %d, want 0", st.Replays)
	}
}

// TestChangeRefusedForAnotherEventsPart: the channel refuses a merged change because of the
// sum of two events; each is written again on its own, so the one the channel takes is
// applied and only the other fails.
func TestChangeRefusedForAnotherEventsPart(t *testing.T) {
	s := &script{}
	e := newTestEnv(t, envOptions{config: Config{Connect: s.connect}})
	shop := e.addChannel("shop", v1alpha1.PlatformShopify, v1alpha1.ModeRealTimeAdjustment, "")
	const nearTheTop = 1_999_999_000 // Shopify refuses a level above 2,000,000,000
	e.shop.SetAvailable(shop.itemID, shop.location, nearTheTop-1)
	status, resp := e.queueBehindHeldCall(s, "shop", receipt("first", 600), receipt("second", 600))
	if status != http.StatusOK {
		t.Fatalf("status %d, answer %+v", status, resp)
	}
	if got := channelResult(t, resp.Results[0], "shop"); got.Status != StatusPushed {
		t.Errorf("first: %+v, want Pushed", got)
	}
	if got := channelResult(t, resp.Results[1], "shop"); got.Status != StatusFailed || got.Reason != ReasonChannelRefused {
		t.Errorf("second: %+v, want Failed ChannelRefused", got)
	}
	if got := e.level(shop); got != nearTheTop+600 {
		t.Errorf("shop shows %d, want %d", got, nearTheTop+600)
	}
}
