// Command pause is the local cluster's pod sandbox: it holds a pod's namespaces and does
// nothing until it is told to stop. Nothing can be pulled on the local cluster, so the
// sandbox image is built from this.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
