// Command build-image is `make image`: it builds the operator's static binary and writes the
// one image of every role as a tarball, without a container engine, and prints its digest.
// The same sources give the same digest.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/techoms/inventory-operator/internal/image"
)

func main() {
	out := flag.String("out", "bin/image/inventory-operator.tar", "where to write the image tarball")
	tag := flag.String("tag", "ghcr.io/techoms/inventory-operator:dev", "the image's name and tag in the tarball")
	caCerts := flag.String("ca-certificates", image.DefaultCACerts, "the CA certificate bundle to put in the image")
	flag.Parse()
	digest, err := image.BuildOperator(".", *out, *tag, *caCerts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "build-image:", err)
		os.Exit(1)
	}
	fmt.Printf("%s %s %s\n", *out, *tag, digest)
}
