package shopify

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docTestDirs maps the package names docs/shopify.md uses for tests to their directories,
// relative to this package.
var docTestDirs = map[string]string{
	"shopify":     ".",
	"shopifytest": "shopifytest",
	"syncrun":     "../../syncrun",
	"relay":       "../../relay",
	"channel":     "..",
	"retry":       "../retry",
}

var (
	docLink     = regexp.MustCompile(`\]\((https?://[^)\s]+)\)`)
	docTestName = regexp.MustCompile("`([a-z]+)\\.(Test[A-Za-z0-9_]*\\*?)`")
	// pinnedReference is a reference page of a given version, not latest: the connector
	// speaks 2026-10, and a page of another version may say something else.
	pinnedReference = regexp.MustCompile(`shopify\.dev/docs/api/admin-graphql/\d{4}-\d{2}/`)
)

// docs/shopify.md is the contract of what the connector relies on: every row cites
// shopify.dev (or the 2026-10 schema's own text), never a legacy help page or a reference
// page of another version, and every test it names exists.
func TestShopifyDocCitesShopifyDevAndRealTests(t *testing.T) {
	raw, err := os.ReadFile("../../../docs/shopify.md")
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{}
	rows := 0
	for line := range strings.SplitSeq(string(raw), "\n") {
		cells := strings.Split(line, " | ")
		if !strings.HasPrefix(line, "| ") || len(cells) != 3 || strings.HasPrefix(line, "| Behaviour") || strings.HasPrefix(line, "| ---") {
			continue
		}
		rows++
		behaviour, cited, tests := cells[0], cells[1], cells[2]
		short := behaviour[:min(len(behaviour), 60)]
		links := docLink.FindAllStringSubmatch(cited, -1)
		if len(links) == 0 && !strings.Contains(cited, "2026-10 schema") {
			t.Errorf("row %q cites neither a page nor the 2026-10 schema", short)
		}
		for _, l := range links {
			url := l[1]
			switch {
			case !strings.HasPrefix(url, "https://shopify.dev/"):
				t.Errorf("row %q cites %s: cite shopify.dev", short, url)
			case pinnedReference.MatchString(url):
				t.Errorf("row %q cites %s: cite the latest (2026-10) page", short, url)
			}
		}
		names := docTestName.FindAllStringSubmatch(tests, -1)
		if len(names) == 0 {
			t.Errorf("row %q names no test", short)
		}
		for _, n := range names {
			pkg, name := n[1], n[2]
			dir, ok := docTestDirs[pkg]
			if !ok {
				t.Errorf("row %q: unknown package %s", short, pkg)
				continue
			}
			if _, read := sources[dir]; !read {
				sources[dir] = testSources(t, dir)
			}
			decl := "func " + strings.TrimSuffix(name, "*")
			if !strings.HasSuffix(name, "*") {
				decl += "("
			}
			if !strings.Contains(sources[dir], decl) {
				t.Errorf("row %q names %s.%s, which does not exist", short, pkg, name)
			}
		}
	}
	if rows < 20 {
		t.Fatalf("read %d rows: the table's layout changed", rows)
	}
}

// testSources is the text of the _test.go files of a directory.
func testSources(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no tests in %s: %v", dir, err)
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}
