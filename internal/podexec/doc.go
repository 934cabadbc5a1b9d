// Package podexec is a development and test harness that stands in for a kubelet, so the
// operator's sync Jobs run in a local control plane that has no nodes and no container
// runtime (see package devcluster). It is not part of the product and never runs in a
// cluster.
//
// An Executor registers one Ready Node, watches only the pods labelled
// app.kubernetes.io/managed-by=inventory-operator, binds the unscheduled ones to its node and
// runs each pod's single container as a local process of the project's own binary: the
// image is ignored and the binary stands in for its entrypoint. Like a kubelet it resolves
// the container's environment (values, secretKeyRef, configMapKeyRef, downward-API fieldRef),
// expands $(VAR) in the arguments, marks the pod Running, then Succeeded or Failed with the
// container's terminated state (exit code, termination message, start and finish times), and
// kills the process when the pod is deleted. The termination message path of a container is
// redirected to a temporary file through a flag appended to its arguments
// (Options.ResultFlag), because the binary cannot write /dev/termination-log on a host.
package podexec
