package inventoryctl

import (
	"io"
	"strings"
	"text/tabwriter"
)

// table prints aligned columns, as kubectl get does.
type table struct{ w *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{w: tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) { _, _ = io.WriteString(t.w, strings.Join(cells, "\t")+"\n") }

func (t *table) flush() { _ = t.w.Flush() }
