package podexec_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/techoms/inventory-operator/internal/devcluster"
	"github.com/techoms/inventory-operator/internal/podexec"
)

// script stands in for the project's binary: it writes what it was given to the result
// file, exits with the code its --exit argument asks for, or sleeps when asked to.
const script = `#!/bin/sh
out=""; code=0
for a in "$@"; do
  case "$a" in
    --result-path=*) out="${a#--result-path=}" ;;
    --exit=*) code="${a#--exit=}" ;;
    --sleep) exec sleep 300 ;;
  esac
done
printf 'args=%s token=%s' "$*" "$TOKEN" > "$out"
exit "$code"
`

func TestExecutorRunsJobPods(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	cluster, err := devcluster.Start(ctx, devcluster.Options{Dir: filepath.Join(dir, "cluster"), BinDir: binDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Stop()
	cfg, err := cluster.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	binary := filepath.Join(dir, "fake-binary")
	if err := os.WriteFile(binary, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	exec, err := podexec.New(podexec.Options{Client: cs, Binary: binary, WorkDir: filepath.Join(dir, "pods"), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- exec.Run(ctx) }()
	defer func() {
		cancel()
		<-stopped
	}()

	ns := "podexec"
	mustCreate(t, func() error {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		return err
	})
	mustCreate(t, func() error {
		_, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "creds"},
			Data:       map[string][]byte{"token": []byte("s3cret")},
		}, metav1.CreateOptions{})
		return err
	})

	t.Run("succeeded pod carries the expanded arguments and the message", func(t *testing.T) {
		job := createJob(t, cs, ns, "ok", "--run-id=$(RUN_ID)")
		waitJob(t, cs, job, batchv1.JobComplete)
		msg := terminatedMessage(t, cs, job)
		want := "args=sync --run-id=" + string(job.UID) + " --result-path="
		if !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, " token=s3cret") {
			t.Fatalf("termination message %q, want prefix %q and the secret's token", msg, want)
		}
	})

	t.Run("non-zero exit fails the job", func(t *testing.T) {
		job := createJob(t, cs, ns, "fails", "--exit=3")
		waitJob(t, cs, job, batchv1.JobFailed)
		pods := jobPods(t, cs, job)
		term := pods[0].Status.ContainerStatuses[0].State.Terminated
		if term == nil || term.ExitCode != 3 {
			t.Fatalf("terminated state %+v, want exit code 3", term)
		}
	})

	t.Run("deleting a running pod stops its process", func(t *testing.T) {
		job := createJob(t, cs, ns, "sleeps", "--sleep")
		eventually(t, "pod running", func() bool {
			pods := jobPods(t, cs, job)
			return len(pods) == 1 && pods[0].Status.Phase == corev1.PodRunning
		})
		if err := cs.BatchV1().Jobs(ns).Delete(ctx, job.Name, metav1.DeleteOptions{
			PropagationPolicy: ptr.To(metav1.DeletePropagationForeground),
		}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "job and pod gone", func() bool {
			_, err := cs.BatchV1().Jobs(ns).Get(ctx, job.Name, metav1.GetOptions{})
			return apierrors.IsNotFound(err)
		})
	})
}

func createJob(t *testing.T, cs kubernetes.Interface, ns, name string, args ...string) *batchv1.Job {
	t.Helper()
	labels := map[string]string{"app.kubernetes.io/managed-by": "inventory-operator"}
	job, err := cs.BatchV1().Jobs(ns).Create(context.Background(), &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: batchv1.JobSpec{
			BackoffLimit: ptr.To[int32](0),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy:                 corev1.RestartPolicyNever,
					TerminationGracePeriodSeconds: ptr.To[int64](1),
					Containers: []corev1.Container{{
						Name:  "sync",
						Image: "ignored",
						Args:  append([]string{"sync"}, args...),
						Env: []corev1.EnvVar{
							{Name: "RUN_ID", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
								FieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']",
							}}},
							{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
								LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}, Key: "token",
							}}},
						},
						TerminationMessagePath: "/dev/termination-log",
					}},
				},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func waitJob(t *testing.T, cs kubernetes.Interface, job *batchv1.Job, want batchv1.JobConditionType) {
	t.Helper()
	eventually(t, "job "+job.Name+" "+string(want), func() bool {
		j, err := cs.BatchV1().Jobs(job.Namespace).Get(context.Background(), job.Name, metav1.GetOptions{})
		if err != nil {
			return false
		}
		for _, c := range j.Status.Conditions {
			if c.Type == want && c.Status == corev1.ConditionTrue {
				return true
			}
		}
		return false
	})
}

func jobPods(t *testing.T, cs kubernetes.Interface, job *batchv1.Job) []corev1.Pod {
	t.Helper()
	pods, err := cs.CoreV1().Pods(job.Namespace).List(context.Background(), metav1.ListOptions{
		LabelSelector: "batch.kubernetes.io/controller-uid=" + string(job.UID),
	})
	if err != nil {
		t.Fatal(err)
	}
	return pods.Items
}

func terminatedMessage(t *testing.T, cs kubernetes.Interface, job *batchv1.Job) string {
	t.Helper()
	pods := jobPods(t, cs, job)
	if len(pods) != 1 || len(pods[0].Status.ContainerStatuses) != 1 || pods[0].Status.ContainerStatuses[0].State.Terminated == nil {
		t.Fatalf("want one terminated pod, got %+v", pods)
	}
	return pods[0].Status.ContainerStatuses[0].State.Terminated.Message
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func mustCreate(t *testing.T, create func() error) {
	t.Helper()
	if err := create(); err != nil {
		t.Fatal(err)
	}
}

func binDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "bin", "k8s")
}
