package podexec

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
)

// maxMessageBytes is the kubelet's limit on a termination message.
const maxMessageBytes = 4096

// fallbackLogBytes is how much of the output a FallbackToLogsOnError message takes.
const fallbackLogBytes = 2048

// run executes the pod's container; runCtx ends when the pod is deleted or the executor
// stops, ctx only when the executor stops.
func (e *Executor) run(runCtx, ctx context.Context, pod *corev1.Pod) {
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	case <-runCtx.Done():
		e.markDone(pod.UID)
		e.finishDeleted(ctx, pod)
		return
	}
	if len(pod.Spec.Containers) != 1 || len(pod.Spec.InitContainers) > 0 {
		e.fail(ctx, pod, "UnsupportedPod", "the pod executor runs pods with exactly one container")
		return
	}
	c := &pod.Spec.Containers[0]
	if len(c.Command) > 0 {
		e.fail(ctx, pod, "UnsupportedPod", "the pod executor runs only the image's entrypoint (no command)")
		return
	}
	env, order, err := resolveEnv(ctx, e.opts.Client, pod, c)
	if err != nil {
		e.waiting(ctx, pod, "CreateContainerConfigError", err.Error())
		e.retryLater(pod)
		return
	}
	args := make([]string, 0, len(c.Args)+1)
	for _, a := range c.Args {
		args = append(args, expand(a, env))
	}
	resultFile := ""
	if c.TerminationMessagePath != "" {
		f, err := os.CreateTemp(e.opts.WorkDir, "result-")
		if err != nil {
			e.fail(ctx, pod, "ContainerCannotRun", err.Error())
			return
		}
		resultFile = f.Name()
		_ = f.Close()
		defer func() { _ = os.Remove(resultFile) }()
		args = append(args, e.opts.ResultFlag+"="+resultFile)
	}
	logPath := e.LogPath(pod.Namespace, pod.Name)
	logFile, err := os.Create(logPath)
	if err != nil {
		e.fail(ctx, pod, "ContainerCannotRun", err.Error())
		return
	}
	defer func() { _ = logFile.Close() }()

	cmd := exec.Command(e.opts.Binary, args...)
	cmd.Env = processEnv(env, order)
	cmd.Dir = e.opts.WorkDir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	started := metav1.Now()
	if err := cmd.Start(); err != nil {
		e.fail(ctx, pod, "ContainerCannotRun", err.Error())
		return
	}
	e.opts.Logf("pod %s/%s: running %s (output: %s)", pod.Namespace, pod.Name, c.Name, logPath)
	if err := e.updateStatus(ctx, pod, func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodRunning
		p.Status.StartTime = &started
		p.Status.ContainerStatuses = []corev1.ContainerStatus{containerStatus(c, corev1.ContainerState{
			Running: &corev1.ContainerStateRunning{StartedAt: started},
		})}
		p.Status.ContainerStatuses[0].Started = new(true)
	}); err != nil {
		e.opts.Logf("pod %s/%s: mark running: %v", pod.Namespace, pod.Name, err)
	}

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var waitErr error
	select {
	case waitErr = <-exited:
	case <-runCtx.Done():
		waitErr = stop(cmd, exited, gracePeriod(pod))
	}
	// Whatever the container left in its process group goes with it.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	finished := metav1.Now()
	exitCode := exitCodeOf(cmd, waitErr)
	message := readMessage(resultFile)
	if message == "" && exitCode != 0 && c.TerminationMessagePolicy == corev1.TerminationMessageFallbackToLogsOnError {
		message = tail(logPath, fallbackLogBytes)
	}
	reason, phase := "Completed", corev1.PodSucceeded
	if exitCode != 0 {
		reason, phase = "Error", corev1.PodFailed
	}
	e.opts.Logf("pod %s/%s: exited %d", pod.Namespace, pod.Name, exitCode)
	if err := e.updateStatus(ctx, pod, func(p *corev1.Pod) {
		p.Status.Phase = phase
		if p.Status.StartTime == nil {
			p.Status.StartTime = &started
		}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{containerStatus(c, corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{
				ExitCode: int32(exitCode), Reason: reason, Message: message,
				StartedAt: started, FinishedAt: finished,
			},
		})}
		p.Status.ContainerStatuses[0].Started = new(false)
	}); err != nil {
		e.opts.Logf("pod %s/%s: mark finished: %v", pod.Namespace, pod.Name, err)
	}
	e.markDone(pod.UID)
	e.finishDeleted(ctx, pod)
}

// finishDeleted removes the pod if its deletion was requested meanwhile.
func (e *Executor) finishDeleted(ctx context.Context, pod *corev1.Pod) {
	if ctx.Err() != nil {
		return
	}
	latest, err := e.opts.Client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
	if err != nil || latest.UID != pod.UID || latest.DeletionTimestamp == nil {
		return
	}
	if err := e.remove(ctx, latest); err != nil {
		e.opts.Logf("pod %s/%s: remove: %v", pod.Namespace, pod.Name, err)
	}
}

// fail ends a pod the executor cannot run.
func (e *Executor) fail(ctx context.Context, pod *corev1.Pod, reason, message string) {
	now := metav1.Now()
	e.opts.Logf("pod %s/%s: %s: %s", pod.Namespace, pod.Name, reason, message)
	if err := e.updateStatus(ctx, pod, func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodFailed
		p.Status.Reason, p.Status.Message = reason, message
		p.Status.ContainerStatuses = []corev1.ContainerStatus{containerStatus(&pod.Spec.Containers[0], corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{ExitCode: 128, Reason: reason, Message: message, StartedAt: now, FinishedAt: now},
		})}
	}); err != nil {
		e.opts.Logf("pod %s/%s: mark failed: %v", pod.Namespace, pod.Name, err)
	}
	e.markDone(pod.UID)
}

// waiting shows why a container cannot start yet; the pod stays Pending and is retried.
func (e *Executor) waiting(ctx context.Context, pod *corev1.Pod, reason, message string) {
	e.opts.Logf("pod %s/%s: %s: %s", pod.Namespace, pod.Name, reason, message)
	if err := e.updateStatus(ctx, pod, func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{containerStatus(&pod.Spec.Containers[0], corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message},
		})}
	}); err != nil {
		e.opts.Logf("pod %s/%s: mark waiting: %v", pod.Namespace, pod.Name, err)
	}
}

func (e *Executor) updateStatus(ctx context.Context, pod *corev1.Pod, mutate func(*corev1.Pod)) error {
	pods := e.opts.Client.CoreV1().Pods(pod.Namespace)
	return retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		latest, err := pods.Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if latest.UID != pod.UID {
			return apierrors.NewNotFound(corev1.Resource("pods"), pod.Name)
		}
		latest.Status.HostIP, latest.Status.PodIP = "127.0.0.1", "127.0.0.1"
		mutate(latest)
		_, err = pods.UpdateStatus(ctx, latest, metav1.UpdateOptions{})
		return err
	})
}

func containerStatus(c *corev1.Container, state corev1.ContainerState) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: c.Image, State: state}
}

// processEnv is the container's environment on top of what a local process needs to run.
func processEnv(env map[string]string, order []string) []string {
	var out []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	for _, k := range order {
		out = append(out, k+"="+env[k])
	}
	return out
}

func gracePeriod(pod *corev1.Pod) time.Duration {
	grace := 30 * time.Second
	if pod.DeletionGracePeriodSeconds != nil {
		grace = time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	} else if pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*pod.Spec.TerminationGracePeriodSeconds) * time.Second
	}
	return min(grace, 10*time.Second)
}

// stop sends SIGTERM to the container's process group, then SIGKILL after grace.
func stop(cmd *exec.Cmd, exited <-chan error, grace time.Duration) error {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-exited:
		return err
	case <-time.After(grace):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		return <-exited
	}
}

// exitCodeOf reports the exit code as a container runtime does: 128+n for signal n.
func exitCodeOf(cmd *exec.Cmd, err error) int {
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return 128
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

func readMessage(path string) string {
	if path == "" {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(data) > maxMessageBytes {
		data = data[:maxMessageBytes]
	}
	return string(data)
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(data) > n {
		data = data[len(data)-n:]
	}
	return string(data)
}
