package devcluster_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/techoms/inventory-operator/internal/devcluster"
)

// binDir is where `make controlplane` puts the control plane.
func binDir(t *testing.T) string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "bin", "k8s")
}

func TestStartServesTheAPIAndStops(t *testing.T) {
	c, err := devcluster.Start(context.Background(), devcluster.Options{Dir: tempDir(t), BinDir: binDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	cfg, err := c.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	if _, err := cs.CoreV1().Namespaces().Get(context.Background(), "default", metav1.GetOptions{}); err != nil {
		t.Fatalf("get namespace default: %v", err)
	}
	if _, err := os.Stat(c.Kubeconfig); err != nil {
		t.Fatalf("kubeconfig: %v", err)
	}
	c.Stop()
	if _, err := cs.CoreV1().Namespaces().Get(context.Background(), "default", metav1.GetOptions{}); err == nil {
		t.Fatal("API still answers after Stop")
	}
}

// tempDir is a test directory whose component logs are printed when the test fails.
func tempDir(t *testing.T) string {
	dir := t.TempDir()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		logs, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
		for _, log := range logs {
			data, _ := os.ReadFile(log)
			if len(data) > 4000 {
				data = data[len(data)-4000:]
			}
			t.Logf("%s:\n%s", filepath.Base(log), data)
		}
	})
	return dir
}
