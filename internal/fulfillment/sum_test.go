package fulfillment

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
)

// staticSource is a Source of levels already parsed, or of an error.
type staticSource struct {
	levels *Levels
	err    error
}

func (s staticSource) Read(context.Context) (*Levels, error) { return s.levels, s.err }

func mustParse(t *testing.T, csv string) *Levels {
	t.Helper()
	levels, err := Parse(strings.NewReader(csv), "CSV")
	if err != nil {
		t.Fatal(err)
	}
	return levels
}

func TestSumAddsQuantitiesPerSKU(t *testing.T) {
	berlin := mustParse(t, "sku,quantity\nB,2\nA,1\nD,0\n")
	hamburg := mustParse(t, "sku,quantity\nC,5\nA,10\n")
	munich := mustParse(t, "sku,quantity\nD,7\n")
	got, err := Sum{{"berlin", staticSource{levels: berlin}}, {"hamburg", staticSource{levels: hamburg}}, {"munich", staticSource{levels: munich}}}.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"A": 11, "B": 2, "C": 5, "D": 7}
	if all := maps.Collect(got.All()); !maps.Equal(all, want) {
		t.Errorf("sum = %v, want %v", all, want)
	}
	var order []string
	for sku := range got.All() {
		order = append(order, sku)
	}
	if strings.Join(order, ",") != "A,B,C,D" {
		t.Errorf("sum lists %v, not in SKU order", order)
	}
	for sku, q := range want {
		if v, ok := got.Lookup(sku); !ok || v != q {
			t.Errorf("Lookup(%s) = %d, %v; want %d", sku, v, ok, q)
		}
	}
}

func TestSumNamesTheFeedThatFails(t *testing.T) {
	_, malformed := Parse(strings.NewReader("sku,quantity\nA,-1\n"), "CSV")
	if malformed == nil {
		t.Fatal("the malformed feed parsed")
	}
	_, err := Sum{{"berlin", staticSource{levels: mustParse(t, "sku,quantity\nA,1\n")}}, {"hamburg", staticSource{err: malformed}}}.Read(t.Context())
	var feedErr *FeedError
	switch {
	case err == nil:
		t.Fatal("a malformed feed was summed")
	case !strings.HasPrefix(err.Error(), "feed hamburg: "):
		t.Errorf("error %q does not name the feed", err)
	case !errors.As(err, &feedErr):
		t.Errorf("error %q is no longer a *FeedError, which makes the run permanent", err)
	}
}

func TestSumOfOneFeedIsThatFeed(t *testing.T) {
	levels := mustParse(t, "sku,quantity\nA,1\n")
	boom := errors.New("boom")
	if got, _ := (Sum{{"only", staticSource{levels: levels}}}).Read(t.Context()); got != levels {
		t.Error("a single feed was copied")
	}
	if _, err := (Sum{{"only", staticSource{err: boom}}}).Read(t.Context()); err == nil || err.Error() != boom.Error() {
		t.Errorf("a single feed's error became %v", err)
	}
}

func TestMapQuantities(t *testing.T) {
	levels := mustParse(t, "sku,quantity\nB,20\nA,10\n")
	half := levels.MapQuantities(func(q int64) int64 { return q / 2 })
	if got := maps.Collect(half.All()); !maps.Equal(got, map[string]int64{"A": 5, "B": 10}) {
		t.Errorf("mapped = %v", got)
	}
	if got := maps.Collect(levels.All()); !maps.Equal(got, map[string]int64{"A": 10, "B": 20}) {
		t.Errorf("mapping changed the original: %v", got)
	}
}

func TestSumIsBoundLikeOneFeed(t *testing.T) {
	defer func(was int) { sumLimit = was }(sumLimit)
	sumLimit = 3
	a := mustParse(t, "sku,quantity\nA,1\nB,1\n")
	b := mustParse(t, "sku,quantity\nB,1\nC,1\n")
	if _, err := (Sum{{"a", staticSource{levels: a}}, {"b", staticSource{levels: b}}}).Read(t.Context()); err != nil {
		t.Fatalf("3 distinct SKUs: %v", err)
	}
	c := mustParse(t, "sku,quantity\nD,1\n")
	_, err := Sum{{"a", staticSource{levels: a}}, {"b", staticSource{levels: b}}, {"c", staticSource{levels: c}}}.Read(t.Context())
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "feeds up to c list more than 3 distinct SKUs") {
		t.Errorf("4 distinct SKUs: error %v, want ErrTooLarge naming the bound", err)
	}
}

func TestSumIsRangeCheckedLikeOneFeed(t *testing.T) {
	// Each feed is within the bound; three of them sum A to 3,000,000,000, which no channel
	// accepts, so the sum fails before any level reaches a channel.
	big := func() staticSource { return staticSource{levels: mustParse(t, "sku,quantity\nB,1\nA,1000000000\n")} }
	_, err := Sum{{"berlin", big()}, {"hamburg", big()}, {"munich", big()}}.Read(t.Context())
	switch {
	case err == nil:
		t.Fatal("a sum of 3,000,000,000 was accepted")
	case !errors.Is(err, ErrSumOutOfRange):
		t.Errorf("error %q does not wrap ErrSumOutOfRange", err)
	case !strings.Contains(err.Error(), `SKU "A"`) || !strings.Contains(err.Error(), "feeds up to hamburg"):
		t.Errorf("error %q names neither the SKU nor the feed", err)
	}
	// The bound itself is reachable.
	half := func() staticSource { return staticSource{levels: mustParse(t, "sku,quantity\nA,500000000\n")} }
	got, err := Sum{{"berlin", half()}, {"hamburg", half()}}.Read(t.Context())
	if err != nil {
		t.Fatalf("a sum of exactly the bound: %v", err)
	}
	if q, _ := got.Lookup("A"); q != 1_000_000_000 {
		t.Errorf("A = %d", q)
	}
}
