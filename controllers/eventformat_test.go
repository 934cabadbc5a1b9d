package controllers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"

	"github.com/techoms/inventory-operator/api/v1alpha1"
)

// These tests need no API server: they run without the envtest suite.

// A blocker's message holds names a user wrote; used as a format, a '%' in them would garble
// the Event (and with arguments, could print them in the wrong place).
func TestABlockedSyncsEventShowsItsMessageVerbatim(t *testing.T) {
	recorder := events.NewFakeRecorder(4)
	r := &InventorySyncReconciler{Recorder: recorder}
	sync := &v1alpha1.InventorySync{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "n", Generation: 1}}
	message := `SalesChannel "shop%d%s%x" does not exist in namespace n`
	r.summarise(&syncObservation{
		sync:    sync,
		conds:   conditionSet{conditions: &sync.Status.Conditions, generation: 1},
		blocked: missing(v1alpha1.ReasonSalesChannelNotFound, message),
	})
	select {
	case got := <-recorder.Events:
		if want := "Warning " + v1alpha1.ReasonSalesChannelNotFound + " " + message; got != want {
			t.Errorf("Event %q, want %q", got, want)
		}
	default:
		t.Fatal("no Event for the blocked sync")
	}
}

// Every Eventf of the reconcilers takes a constant format: a user's string is only ever an
// argument. go vet cannot check this, since Eventf is called through an interface.
func TestEventsTakeOnlyConstantFormats(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Eventf" || len(call.Args) < 6 {
				return true
			}
			checked++
			if lit, ok := call.Args[5].(*ast.BasicLit); !ok || lit.Kind != token.STRING {
				t.Errorf("%s: Eventf's format is not a string literal", fset.Position(call.Pos()))
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no call to Eventf found: the test looks in the wrong place")
	}
}
