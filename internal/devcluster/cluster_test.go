package devcluster_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

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

// start starts a cluster stopped at the end of the test, with an admin clientset.
func start(t *testing.T, opts devcluster.Options) (*devcluster.Cluster, kubernetes.Interface) {
	t.Helper()
	opts.Dir, opts.BinDir = tempDir(t), binDir(t)
	c, err := devcluster.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	cfg, err := c.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	return c, kubernetes.NewForConfigOrDie(cfg)
}

func TestStartServesTheAPIAndStops(t *testing.T) {
	c, cs := start(t, devcluster.Options{})
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

// A node registers Ready and runs a pod the way the operator's sync pods run: unprivileged,
// read-only, no capabilities, seccomp, with a Secret and a field as environment variables.
func TestNodeRunsARestrictedPod(t *testing.T) {
	if err := devcluster.CheckNode(binDir(t)); err != nil {
		t.Skip("no node on this machine:", err)
	}
	_, cs := start(t, devcluster.Options{Node: &devcluster.NodeOptions{}})
	ctx := context.Background()
	if _, err := cs.CoreV1().Secrets("default").Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "s"}, StringData: map[string]string{"k": "v"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "restricted"},
		Spec: corev1.PodSpec{
			RestartPolicy:                corev1.RestartPolicyNever,
			AutomountServiceAccountToken: ptr.To(false),
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To[int64](65532),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name:  "pause",
				Image: devcluster.PauseImage,
				Env: []corev1.EnvVar{
					{Name: "S", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
						LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}},
					{Name: "N", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
				},
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: ptr.To(false), ReadOnlyRootFilesystem: ptr.To(true),
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
	if _, err := cs.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		got, err := cs.CoreV1().Pods("default").Get(ctx, "restricted", metav1.GetOptions{})
		if err == nil && got.Status.Phase == corev1.PodRunning && got.Status.PodIP != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod not running in time: %+v (%v)", got.Status, err)
		}
		<-tick.C
	}
}
