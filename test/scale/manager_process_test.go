package scale

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// managerProcess is the manager binary running as a child process, so its peak RSS is its own
// and its API requests are counted by its own client metrics.
type managerProcess struct {
	cmd         *exec.Cmd
	metricsAddr string
	pprofAddr   string
	waited      chan struct{}
}

// buildManager builds the manager binary once for the benchmark.
func buildManager(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "inventory-operator")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/inventory-operator")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		b.Fatalf("building the manager: %v", err)
	}
	return bin
}

// freeLoopbackAddr picks a port on loopback nothing listens on.
func freeLoopbackAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startManager runs the manager against the kubeconfig, with plain-HTTP metrics on loopback
// and the extra flags args (e.g. the client's QPS).
func startManager(b *testing.B, bin, kubeconfig string, extra []string, profile bool) *managerProcess {
	m := &managerProcess{metricsAddr: freeLoopbackAddr(b), waited: make(chan struct{})}
	args := []string{"manager", "--sync-image=inventory-operator:bench", "--metrics-secure=false",
		"--metrics-bind-address=" + m.metricsAddr, "--health-probe-bind-address=0",
		"--zap-log-level=error"}
	if c := os.Getenv("BENCH_CONCURRENCY"); c != "" {
		args = append(args, "--concurrency="+c)
	}
	if profile {
		m.pprofAddr = freeLoopbackAddr(b)
		args = append(args, "--pprof-bind-address="+m.pprofAddr)
	}
	args = append(args, extra...)
	m.cmd = exec.Command(bin, args...)
	m.cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	// Its log (errors only) goes to a file: a manager stopped mid-reconcile logs cancellations.
	logFile, err := os.Create(filepath.Join(b.TempDir(), "manager.log"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = logFile.Close() })
	m.cmd.Stdout, m.cmd.Stderr = logFile, logFile
	if err := m.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// The exit status is not needed: stop reads the process state.
	go func() { _ = m.cmd.Wait(); close(m.waited) }()
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := m.scrape(); err == nil {
			return m
		}
		if time.Now().After(deadline) {
			m.stop()
			b.Fatal("the manager did not serve metrics within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the manager and returns its peak RSS in bytes.
func (m *managerProcess) stop() int64 {
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.waited:
	case <-time.After(30 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.waited
	}
	if ru, ok := m.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024 // kilobytes on Linux
	}
	return 0
}

// requests are the manager's API requests by HTTP method, and its reconciles by controller,
// from its metrics.
type requests struct {
	byMethod   map[string]float64
	reconciles map[string]float64
}

// reads are GETs: single reads, lists and watches.
func (r requests) reads() float64 { return r.byMethod["GET"] }

// writes are creates, updates, patches and deletes.
func (r requests) writes() float64 {
	return r.byMethod["POST"] + r.byMethod["PUT"] + r.byMethod["PATCH"] + r.byMethod["DELETE"]
}

func (m *managerProcess) scrape() (requests, error) {
	resp, err := http.Get("http://" + m.metricsAddr + "/metrics")
	if err != nil {
		return requests{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return requests{}, fmt.Errorf("metrics: %s", resp.Status)
	}
	return parseRequests(resp.Body)
}

// parseRequests sums rest_client_requests_total by method and
// controller_runtime_reconcile_total by controller from the text exposition format.
func parseRequests(r io.Reader) (requests, error) {
	out := requests{byMethod: map[string]float64{}, reconciles: map[string]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var into map[string]float64
		var label string
		switch {
		case strings.HasPrefix(line, "rest_client_requests_total{"):
			into, label = out.byMethod, "method"
		case strings.HasPrefix(line, "controller_runtime_reconcile_total{"):
			into, label = out.reconciles, "controller"
		default:
			continue
		}
		value, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return out, fmt.Errorf("metric line %q: %w", line, err)
		}
		into[labelValue(line, label)] += value
	}
	return out, sc.Err()
}

func labelValue(line, name string) string {
	i := strings.Index(line, name+`="`)
	if i < 0 {
		return ""
	}
	rest := line[i+len(name)+2:]
	return rest[:strings.IndexByte(rest, '"')]
}

// cpuProfile fetches a CPU profile of the manager over the given time into path.
func (m *managerProcess) cpuProfile(ctx context.Context, seconds int, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", m.pprofAddr, seconds), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}
