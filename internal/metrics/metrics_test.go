package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"
)

var repoRoot = filepath.Join("..", "..")

// registeredSeries is every series name the registered collectors can expose: the family
// names their descriptions carry, with a histogram's _bucket, _sum and _count.
func registeredSeries(t *testing.T) map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := RegisterManager(reg); err != nil {
		t.Fatal(err)
	}
	if err := RegisterRelay(reg); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, f := range Families() {
		types[f.Name] = f.Type
	}
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	series := map[string]bool{}
	for _, c := range slices.Concat(managerCollectors, relayCollectors) {
		descs := make(chan *prometheus.Desc, 4)
		c.Describe(descs)
		close(descs)
		for d := range descs {
			m := fqName.FindStringSubmatch(d.String())
			if m == nil {
				t.Fatalf("no name in %s", d)
			}
			name := m[1]
			typ, ok := types[name]
			if !ok {
				t.Fatalf("%s is registered but not in Families()", name)
			}
			series[name] = true
			if typ == "histogram" {
				for _, s := range []string{"_bucket", "_sum", "_count"} {
					series[name+s] = true
				}
			}
		}
	}
	return series
}

func TestNamesFollowPrometheusConventions(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Families() {
		if seen[f.Name] {
			t.Errorf("%s is defined twice", f.Name)
		}
		seen[f.Name] = true
		if !strings.HasPrefix(f.Name, Prefix+"_") {
			t.Errorf("%s lacks the prefix %s_", f.Name, Prefix)
		}
		if f.Type == "counter" && !strings.HasSuffix(f.Name, "_total") {
			t.Errorf("counter %s does not end in _total", f.Name)
		}
		if f.Type != "counter" && strings.HasSuffix(f.Name, "_total") {
			t.Errorf("%s %s ends in _total", f.Type, f.Name)
		}
		for _, l := range f.Labels {
			if strings.Contains(l, "sku") {
				t.Errorf("%s has a SKU label %q: one series a SKU is unbounded", f.Name, l)
			}
		}
	}
}

// promQLNames parses expr with Prometheus's own parser and returns the metrics it selects.
func promQLNames(t *testing.T, where, expr string) []string {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		t.Errorf("%s: %v\n%s", where, err, expr)
		return nil
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	if len(names) == 0 {
		t.Errorf("%s selects no metric: %s", where, expr)
	}
	return names
}

func checkNames(t *testing.T, series map[string]bool, where string, names []string) {
	t.Helper()
	for _, n := range names {
		if !series[n] {
			t.Errorf("%s names %q, which no registered collector exposes", where, n)
		}
	}
}

func TestAlertingRulesParseAndNameRegisteredMetrics(t *testing.T) {
	series := registeredSeries(t)
	data, err := os.ReadFile(filepath.Join(repoRoot, "config", "prometheus", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rule struct {
		Spec struct {
			Groups []struct {
				Rules []struct {
					Alert string `json:"alert"`
					Expr  string `json:"expr"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &rule); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range rule.Spec.Groups {
		for _, r := range g.Rules {
			checkNames(t, series, "alert "+r.Alert, promQLNames(t, "alert "+r.Alert, r.Expr))
			n++
		}
	}
	if n < 4 {
		t.Fatalf("only %d rules read", n)
	}
}

func TestDashboardParsesAndNamesRegisteredMetrics(t *testing.T) {
	series := registeredSeries(t)
	data, err := os.ReadFile(filepath.Join(repoRoot, "config", "grafana", "inventory-operator.json"))
	if err != nil {
		t.Fatal(err)
	}
	type target struct {
		Expr string `json:"expr"`
	}
	type panel struct {
		Title   string   `json:"title"`
		Targets []target `json:"targets"`
		Panels  []panel  `json:"panels"`
	}
	var dash struct {
		Panels     []panel `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, tg := range p.Targets {
				checkNames(t, series, "panel "+p.Title, promQLNames(t, "panel "+p.Title, tg.Expr))
				n++
			}
			walk(p.Panels)
		}
	}
	walk(dash.Panels)
	if n < 10 {
		t.Fatalf("only %d panel queries read", n)
	}
	// Grafana's label_values(metric, label) names a metric too.
	labelValues := regexp.MustCompile(`^label_values\((\w+),\s*\w+\)$`)
	for _, v := range dash.Templating.List {
		if v.Definition == "" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Definition)
		if m == nil {
			t.Errorf("variable %s: unexpected query %q", v.Name, v.Definition)
			continue
		}
		checkNames(t, series, "variable "+v.Name, []string{m[1]})
	}
}

func TestDocsListEveryMetric(t *testing.T) {
	series := registeredSeries(t)
	data, err := os.ReadFile(filepath.Join(repoRoot, "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, f := range Families() {
		if !strings.Contains(doc, "`"+f.Name+"`") {
			t.Errorf("docs/metrics.md does not list %s", f.Name)
		}
	}
	for _, name := range regexp.MustCompile(Prefix+`_[a-z_]+`).FindAllString(doc, -1) {
		if !series[name] {
			t.Errorf("docs/metrics.md names %s, which does not exist", name)
		}
	}
}
