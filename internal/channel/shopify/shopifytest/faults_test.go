package shopifytest

import (
	"net/http"
	"testing"
)

func TestFailNextAndRequestHooks(t *testing.T) {
	s := newShop(t, 1, Options{})
	query := `{ productVariants(first: 10) { nodes { sku } } }`
	count := func() int {
		var got struct {
			PV struct {
				Nodes []struct{ SKU string } `json:"nodes"`
			} `json:"productVariants"`
		}
		decodeData(t, do(t, s.srv, query, nil), &got)
		return len(got.PV.Nodes)
	}

	s.srv.FailNext(2, http.StatusServiceUnavailable)
	for range 2 {
		if r := do(t, s.srv, query, nil); r.Status != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", r.Status)
		}
	}
	s.srv.OnRequest(4, func() { s.srv.AddVariant("ADDED-DURING-RUN") })
	if n := count(); n != 1 { // request 3
		t.Fatalf("%d variants before the hook", n)
	}
	if n := count(); n != 2 { // request 4
		t.Fatalf("%d variants after the hook", n)
	}
	if st := s.srv.Stats(); st.Requests != 4 || st.InjectedFailures != 2 {
		t.Fatalf("stats %+v", st)
	}
}
