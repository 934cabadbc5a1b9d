#!/usr/bin/env bash
# Builds the local cluster used by the tests and `make dev` into bin/k8s/: kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet and kube-proxy from k8s.io/kubernetes, and etcd from
# go.etcd.io/etcd/server/v3, at the versions pinned by the go.mod files beside this script.
# Only the Go module proxy is used. A binary already built for the pinned versions is kept.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/hack/controlplane"
out="${1:-$root/bin/k8s}"
mkdir -p "$out"

export GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false

# stamp holds the hash of the pins a binary was built from, so a changed pin rebuilds it.
build() { # build <module dir> <package> <binary name>
  local dir=$1 pkg=$2 name=$3
  local pin
  pin=$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-16)
  if [[ -x "$out/$name" && "$(cat "$out/.$name.pin" 2>/dev/null)" == "$pin" ]]; then
    echo "build-controlplane: $name is up to date"
    return
  fi
  echo "build-controlplane: building $name (a cold build takes several minutes)"
  (cd "$dir" && go build -trimpath -ldflags='-s -w' -o "$out/$name" "$pkg")
  echo "$pin" > "$out/.$name.pin"
}

build "$src/etcd" . etcd
build "$src/kube" k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver
build "$src/kube" k8s.io/kubernetes/cmd/kube-controller-manager kube-controller-manager
build "$src/kube" k8s.io/kubernetes/cmd/kube-scheduler kube-scheduler
build "$src/kube" k8s.io/kubernetes/cmd/kubelet kubelet
build "$src/kube" k8s.io/kubernetes/cmd/kube-proxy kube-proxy
