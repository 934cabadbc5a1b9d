package podexec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// Defaults of Options.
const (
	DefaultNodeName   = "dev-executor"
	DefaultSelector   = "app.kubernetes.io/managed-by=inventory-operator"
	DefaultResultFlag = "--result-path"
)

// Options configure an Executor.
type Options struct {
	// Client talks to the cluster.
	Client kubernetes.Interface
	// Binary is run for every container in place of its image's entrypoint.
	Binary string
	// NodeName is the Node the executor registers; DefaultNodeName when empty.
	NodeName string
	// Selector picks the pods the executor runs; DefaultSelector when empty. Nothing else is
	// touched.
	Selector string
	// MaxConcurrent bounds the processes running at once; 4 when zero. Pods beyond it stay
	// Pending until a slot frees.
	MaxConcurrent int
	// WorkDir holds termination message files and one output log per pod; a new temporary
	// directory when empty.
	WorkDir string
	// ResultFlag is appended as ResultFlag=<file> to the arguments of a container that has a
	// terminationMessagePath; DefaultResultFlag when empty.
	ResultFlag string
	// Logf reports what the executor does; silent when nil.
	Logf func(format string, args ...any)
}

// Executor runs the selected pods as local processes.
type Executor struct {
	opts   Options
	pods   corelisters.PodLister
	queue  workqueue.TypedRateLimitingInterface[string]
	slots  chan struct{}
	mu     sync.Mutex
	states map[types.UID]*podRun
	wg     sync.WaitGroup
}

// podRun is the executor's record of one pod it has taken on.
type podRun struct {
	cancel context.CancelFunc
	done   bool
}

// New checks opts and fills in defaults.
func New(opts Options) (*Executor, error) {
	if opts.Client == nil {
		return nil, fmt.Errorf("podexec: Options.Client is required")
	}
	if _, err := os.Stat(opts.Binary); err != nil {
		return nil, fmt.Errorf("podexec: binary: %w", err)
	}
	if opts.NodeName == "" {
		opts.NodeName = DefaultNodeName
	}
	if opts.Selector == "" {
		opts.Selector = DefaultSelector
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 4
	}
	if opts.ResultFlag == "" {
		opts.ResultFlag = DefaultResultFlag
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.WorkDir == "" {
		dir, err := os.MkdirTemp("", "podexec-")
		if err != nil {
			return nil, err
		}
		opts.WorkDir = dir
	} else if err := os.MkdirAll(opts.WorkDir, 0o755); err != nil {
		return nil, err
	}
	return &Executor{
		opts:   opts,
		queue:  workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		slots:  make(chan struct{}, opts.MaxConcurrent),
		states: map[types.UID]*podRun{},
	}, nil
}

// LogPath is the file a pod's container output goes to.
func (e *Executor) LogPath(namespace, name string) string {
	return filepath.Join(e.opts.WorkDir, namespace+"_"+name+".log")
}

// Run registers the node and runs pods until ctx ends; then it kills the running processes
// and returns once they have exited.
func (e *Executor) Run(ctx context.Context) error {
	if err := e.registerNode(ctx); err != nil {
		return err
	}
	factory := informers.NewSharedInformerFactoryWithOptions(e.opts.Client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = e.opts.Selector }))
	podInformer := factory.Core().V1().Pods()
	e.pods = podInformer.Lister()
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			e.queue.Add(key)
		}
	}
	if _, err := podInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
		DeleteFunc: func(obj any) {
			e.forget(obj)
			enqueue(obj)
		},
	}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), podInformer.Informer().HasSynced) {
		return ctx.Err()
	}
	go func() {
		<-ctx.Done()
		e.queue.ShutDown()
	}()
	var workers sync.WaitGroup
	for range 2 {
		workers.Go(func() {
			for e.processNext(ctx) {
			}
		})
	}
	workers.Wait()
	e.mu.Lock()
	for _, s := range e.states {
		if s.cancel != nil {
			s.cancel()
		}
	}
	e.mu.Unlock()
	e.wg.Wait()
	factory.Shutdown()
	return nil
}

func (e *Executor) processNext(ctx context.Context) bool {
	key, quit := e.queue.Get()
	if quit {
		return false
	}
	defer e.queue.Done(key)
	if err := e.sync(ctx, key); err != nil {
		if ctx.Err() == nil {
			e.opts.Logf("pod %s: %v (retrying)", key, err)
		}
		e.queue.AddRateLimited(key)
		return true
	}
	e.queue.Forget(key)
	return true
}

// forget drops the record of a pod that is gone, stopping its process if it still runs.
func (e *Executor) forget(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.states[pod.UID]; s != nil {
		if s.cancel != nil {
			s.cancel()
		}
		delete(e.states, pod.UID)
	}
}

func (e *Executor) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pod, err := e.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if pod.Spec.NodeName == "" {
		if pod.DeletionTimestamp != nil {
			return nil
		}
		return e.bind(ctx, pod)
	}
	if pod.Spec.NodeName != e.opts.NodeName {
		return nil
	}
	e.mu.Lock()
	state := e.states[pod.UID]
	e.mu.Unlock()
	if pod.DeletionTimestamp != nil {
		if state != nil && !state.done {
			// The run stops its process, records the exit and removes the pod.
			state.cancel()
			return nil
		}
		return e.remove(ctx, pod)
	}
	if state != nil || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return nil
	}
	runCtx, cancel := context.WithCancel(ctx)
	e.mu.Lock()
	e.states[pod.UID] = &podRun{cancel: cancel}
	e.mu.Unlock()
	e.wg.Go(func() {
		defer cancel()
		e.run(runCtx, ctx, pod.DeepCopy())
	})
	return nil
}

// bind schedules the pod onto the executor's node, as the scheduler would.
func (e *Executor) bind(ctx context.Context, pod *corev1.Pod) error {
	err := e.opts.Client.CoreV1().Pods(pod.Namespace).Bind(ctx, &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: e.opts.NodeName},
	}, metav1.CreateOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// remove deletes a pod whose deletion was requested and whose process has ended, as a
// kubelet does once the containers are stopped.
func (e *Executor) remove(ctx context.Context, pod *corev1.Pod) error {
	err := e.opts.Client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: new(int64),
		Preconditions:      &metav1.Preconditions{UID: &pod.UID},
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

func (e *Executor) registerNode(ctx context.Context) error {
	nodes := e.opts.Client.CoreV1().Nodes()
	node, err := nodes.Get(ctx, e.opts.NodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		node, err = nodes.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{
			Name:   e.opts.NodeName,
			Labels: map[string]string{"kubernetes.io/hostname": e.opts.NodeName, "kubernetes.io/os": "linux"},
		}}, metav1.CreateOptions{})
	}
	if err != nil {
		return fmt.Errorf("register node %s: %w", e.opts.NodeName, err)
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("4"),
		corev1.ResourceMemory: resource.MustParse("8Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	now := metav1.Now()
	node.Status = corev1.NodeStatus{
		Capacity:    capacity,
		Allocatable: capacity,
		Conditions: []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "PodExecutorReady",
			Message: "development pod executor", LastHeartbeatTime: now, LastTransitionTime: now,
		}},
		Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}},
	}
	if _, err := nodes.UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("register node %s: %w", e.opts.NodeName, err)
	}
	return nil
}

// markDone records that the pod's run has ended, so later events do not start it again.
func (e *Executor) markDone(uid types.UID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.states[uid]; s != nil {
		s.done = true
	}
}

// retryLater drops the record of a pod that could not start yet, so it is tried again.
func (e *Executor) retryLater(pod *corev1.Pod) {
	e.mu.Lock()
	delete(e.states, pod.UID)
	e.mu.Unlock()
	key, _ := cache.MetaNamespaceKeyFunc(pod)
	e.queue.AddAfter(key, 2*time.Second)
}
