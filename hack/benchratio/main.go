// Command benchratio prints the figures of one benchmark run next to a baseline run's, with
// their ratios: `benchratio BASELINE CURRENT`, each a file of `go test -bench` output. Only
// the units named by -units are compared; every benchmark present in both files gets a row.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	units := flag.String("units", "events/s,p50-ms,p99-ms", "comma-separated units to compare")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchratio [-units a,b] BASELINE CURRENT")
		os.Exit(2)
	}
	base, order, err := read(flag.Arg(0))
	if err == nil {
		var cur map[string]map[string]float64
		cur, _, err = read(flag.Arg(1))
		if err == nil {
			print(order, base, cur, strings.Split(*units, ","))
			return
		}
	}
	fmt.Fprintln(os.Stderr, "benchratio:", err)
	os.Exit(1)
}

// read returns each benchmark's metrics by unit, and the benchmarks in file order.
func read(path string) (map[string]map[string]float64, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	out := map[string]map[string]float64{}
	var order []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := fields[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		metrics := map[string]float64{}
		// fields[1] is the iteration count; then value and unit pairs.
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			metrics[fields[i+1]] = v
		}
		if _, seen := out[name]; !seen {
			order = append(order, name)
		}
		out[name] = metrics
	}
	return out, order, sc.Err()
}

func print(order []string, base, cur map[string]map[string]float64, units []string) {
	fmt.Printf("%-50s", "benchmark")
	for _, u := range units {
		fmt.Printf(" %28s", u+" (base → this, ratio)")
	}
	fmt.Println()
	for _, name := range order {
		c, ok := cur[name]
		if !ok {
			continue
		}
		fmt.Printf("%-50s", name)
		for _, u := range units {
			b, v := base[name][u], c[u]
			ratio := "—"
			if b != 0 {
				ratio = fmt.Sprintf("%.2f", v/b)
			}
			fmt.Printf(" %28s", fmt.Sprintf("%.0f → %.0f, %s", b, v, ratio))
		}
		fmt.Println()
	}
}
