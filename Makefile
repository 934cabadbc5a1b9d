# inventory-operator

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

BIN := $(CURDIR)/bin
export GOWORK := off

CONTROLLER_GEN_VERSION := v0.23.0
SHOPIFY_DEV_MCP_VERSION := 1.16.0
SHOPIFY_API_VERSION := 2026-10

CONTROLLER_GEN := $(BIN)/controller-gen
CONTROLPLANE := $(BIN)/k8s
SHOPIFY_SCHEMA := $(BIN)/shopify/admin_$(SHOPIFY_API_VERSION).json.gz

export KUBEBUILDER_ASSETS := $(CONTROLPLANE)
export SHOPIFY_ADMIN_SCHEMA := $(SHOPIFY_SCHEMA)

.PHONY: all
all: build

##@ Tools

$(CONTROLLER_GEN):
	GOBIN=$(BIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_GEN_VERSION)

.PHONY: controlplane
controlplane: ## Build etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy into bin/k8s.
	hack/build-controlplane.sh $(CONTROLPLANE)

# Shopify's Admin API schema (introspection JSON) ships inside the @shopify/dev-mcp npm package.
$(SHOPIFY_SCHEMA):
	mkdir -p $(BIN)/shopify/pkg
	cd $(BIN)/shopify/pkg && npm pack --silent @shopify/dev-mcp@$(SHOPIFY_DEV_MCP_VERSION) >/dev/null
	tar -xzf $(BIN)/shopify/pkg/shopify-dev-mcp-$(SHOPIFY_DEV_MCP_VERSION).tgz -C $(BIN)/shopify/pkg package/dist/data/admin_$(SHOPIFY_API_VERSION).json.gz
	mv $(BIN)/shopify/pkg/package/dist/data/admin_$(SHOPIFY_API_VERSION).json.gz $@
	rm -rf $(BIN)/shopify/pkg

.PHONY: shopify-schema
shopify-schema: $(SHOPIFY_SCHEMA) ## Fetch Shopify's Admin API schema into bin/shopify.

##@ Generate

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate deepcopy code.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs and RBAC from markers.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths=./api/... paths=./controllers/... \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac

##@ Build and test

.PHONY: build
build: ## Build the operator binary into bin/.
	go build -o $(BIN)/inventory-operator ./cmd/inventory-operator

IMAGE ?= ghcr.io/techoms/inventory-operator:dev
IMAGE_TAR := $(BIN)/image/inventory-operator.tar

.PHONY: image
image: ## Build the one image of every role as a tarball in bin/image (no container engine needed); prints its digest.
	go run ./cmd/build-image -out $(IMAGE_TAR) -tag $(IMAGE)

.PHONY: fmt
fmt:
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet:
	go vet ./...

.PHONY: verify
verify: ## Fail when gofmt, go vet or the generated files (deepcopy, CRDs, RBAC) are not clean.
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	$(MAKE) -s generate manifests
	@if [ -n "$$(git status --porcelain -- api config)" ]; then \
		echo "generated files are stale; run 'make generate manifests' and commit:"; git status --short -- api config; git diff -- api config | head -50; exit 1; fi

.PHONY: test
test: controlplane node-deps $(SHOPIFY_SCHEMA) verify ## Run every suite: unit, envtest, then end to end on a real node (builds the control plane and installs the node packages on a fresh machine; needs root).
	go test ./... -timeout 30m
	$(MAKE) test-e2e

.PHONY: bench
bench: controlplane ## How long the manager takes to bring 500 SalesChannels and 500 InventorySyncs to Ready (at --concurrency 1, the baseline, and 4, the default).
	for c in 1 4; do BENCH_CONCURRENCY=$$c go test ./test/scale/ -run XXX -bench BenchmarkReady -benchtime 1x -timeout 20m | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'; done

.PHONY: bench-sync
bench-sync: $(SHOPIFY_SCHEMA) ## Sync runs against the fake Shopify (20 ms a call, Standard plan): 100k SKUs 1% and all different, 1M SKUs peak memory.
	go test ./test/syncbench/ -run XXX -bench . -benchtime 1x -timeout 20m

.PHONY: bench-relay
bench-relay: $(SHOPIFY_SCHEMA) ## Relay throughput and latency with 1, 10 and 100 senders against the fake Shopify (20 ms a call, Plus plan).
	go test ./internal/relay/ -run XXX -bench BenchmarkRelay -benchtime 1x -timeout 10m

.PHONY: run
run: build ## Run the manager against the cluster of your kubeconfig.
	$(BIN)/inventory-operator manager --sync-image=$${SYNC_IMAGE:-ghcr.io/techoms/inventory-operator:latest} --metrics-bind-address=127.0.0.1:8080 --health-probe-bind-address=127.0.0.1:8081
include hack/dev.mk
