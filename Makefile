# inventory-operator

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

BIN := $(CURDIR)/bin
export GOWORK := off

CONTROLLER_GEN_VERSION := v0.23.0
GOLANGCI_LINT_VERSION := v2.15.0
SHOPIFY_DEV_MCP_VERSION := 1.16.0
SHOPIFY_API_VERSION := 2026-10

CONTROLLER_GEN := $(BIN)/controller-gen
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
CONTROLPLANE := $(BIN)/k8s
SHOPIFY_SCHEMA := $(BIN)/shopify/admin_$(SHOPIFY_API_VERSION).json.gz

export KUBEBUILDER_ASSETS := $(CONTROLPLANE)
export SHOPIFY_ADMIN_SCHEMA := $(SHOPIFY_SCHEMA)

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show the targets and what they do.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} \
		/^[a-zA-Z_0-9-]+:.*?##/ {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2} \
		/^##@/ {printf "\n\033[1m%s\033[0m\n", substr($$0, 5)}' $(MAKEFILE_LIST)

##@ Tools

$(CONTROLLER_GEN):
	GOBIN=$(BIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_GEN_VERSION)

# golangci-lint is built from its Go module, like controller-gen; the version is in the name
# so a changed pin builds the new one.
$(GOLANGCI_LINT):
	mkdir -p $(BIN)/golangci-lint-build
	GOBIN=$(BIN)/golangci-lint-build go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/golangci-lint-build/golangci-lint $@
	rm -rf $(BIN)/golangci-lint-build

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
	$(MAKE) -s chart-files

CHART_FILES := charts/inventory-operator/files

.PHONY: chart-files
chart-files: ## Copy the CRDs, the manager's rules and the static manifests of config/ into the Helm chart.
	rm -rf $(CHART_FILES) && mkdir -p $(CHART_FILES)/crds $(CHART_FILES)/rbac $(CHART_FILES)/admission \
		$(CHART_FILES)/prometheus $(CHART_FILES)/grafana $(CHART_FILES)/networkpolicy
	cp config/crd/bases/*.yaml $(CHART_FILES)/crds/
	cp config/rbac/role.yaml $(CHART_FILES)/rbac/
	cp config/admission/saleschannel_warnings.yaml $(CHART_FILES)/admission/
	cp config/prometheus/rules.yaml $(CHART_FILES)/prometheus/
	cp config/grafana/inventory-operator.json $(CHART_FILES)/grafana/
	cp config/networkpolicy/sync_egress.yaml config/networkpolicy/sync_to_relay.yaml $(CHART_FILES)/networkpolicy/

##@ Build and test

.PHONY: build
build: ## Build the operator binary into bin/.
	go build -o $(BIN)/inventory-operator ./cmd/inventory-operator

.PHONY: plugin
plugin: ## Build the kubectl plugin (kubectl inventory) into bin/, with its completion helper; put bin/ on PATH to use it.
	go build -o $(BIN)/kubectl-inventory ./cmd/kubectl-inventory
	install -m 0755 plugins/kubectl_complete-inventory $(BIN)/kubectl_complete-inventory

IMAGE ?= ghcr.io/techoms/inventory-operator:dev
IMAGE_TAR := $(BIN)/image/inventory-operator.tar

.PHONY: image
image: ## Build the one image of every role as a tarball in bin/image (no container engine needed); prints its digest.
	go run ./cmd/build-image -out $(IMAGE_TAR) -tag $(IMAGE)

.PHONY: fmt
fmt: ## Format every Go file with gofmt.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Run go vet.
	go vet -tags e2e ./...

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint with .golangci.yml.
	$(GOLANGCI_LINT) run --build-tags e2e ./...

.PHONY: verify
verify: lint ## Fail when gofmt, go vet, golangci-lint or the generated files (deepcopy, CRDs, RBAC, the chart's copies) are not clean.
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet -tags e2e ./...
	$(MAKE) -s generate manifests
	@if [ -n "$$(git status --porcelain -- api config charts)" ]; then \
		echo "generated files are stale; run 'make generate manifests' and commit:"; git status --short -- api config charts; git diff -- api config charts | head -50; exit 1; fi

.PHONY: test
test: controlplane node-deps $(SHOPIFY_SCHEMA) verify ## Run every suite: unit, envtest, then end to end on a real node (builds the control plane and installs the node packages on a fresh machine; needs root).
	go test ./... -timeout 30m
	$(MAKE) test-e2e

BENCH_SIZES ?= 1000 5000
BENCH_BASELINE_REF ?= main

.PHONY: bench
bench: controlplane ## Time to all Ready of BENCH_SIZES SalesChannels + as many InventorySyncs (default 1000 5000), with the manager's peak RSS and API requests per object, for the manager of BENCH_BASELINE_REF (default main) and of this tree.
	rm -rf $(BIN)/bench-baseline && mkdir -p $(BIN)/bench-baseline/src
	git archive $(BENCH_BASELINE_REF) | tar -x -C $(BIN)/bench-baseline/src
	cd $(BIN)/bench-baseline/src && go build -o ../inventory-operator ./cmd/inventory-operator
	BENCH_SIZES="$(BENCH_SIZES)" BENCH_BASELINE_MANAGER=$(BIN)/bench-baseline/inventory-operator \
		go test ./test/scale/ -run XXX -bench BenchmarkReady -benchtime 1x -timeout 120m | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'

.PHONY: bench-sync
bench-sync: $(SHOPIFY_SCHEMA) ## Sync runs against the fake Shopify (20 ms a call, Standard plan): 100k SKUs 1% and all different (without and with allocation rules, with 10% of SKUs reserved, and 20% kits of 3 components through a catalog mapping: ratio to the rate-limit floor), 1M SKUs peak memory (one feed, two summed under every rule, and one through a 200k-row mapping).
	go test ./test/syncbench/ -run XXX -bench . -benchtime 1x -timeout 20m

BENCH_RELAY_BASELINE_REF ?= main

.PHONY: bench-relay
bench-relay: $(SHOPIFY_SCHEMA) ## Relay throughput and latency with 1, 10 and 100 senders against the fake Shopify (20 ms a call, Plus plan), without and with allocation rules (buffer 5, 50%), for the relay of BENCH_RELAY_BASELINE_REF (default main) and of this tree, with their ratios.
	rm -rf $(BIN)/bench-relay-baseline && mkdir -p $(BIN)/bench-relay-baseline/src
	git archive $(BENCH_RELAY_BASELINE_REF) | tar -x -C $(BIN)/bench-relay-baseline/src
	@echo "== relay of $(BENCH_RELAY_BASELINE_REF)"
	cd $(BIN)/bench-relay-baseline/src && go test ./internal/relay/ -run XXX -bench '^BenchmarkRelay$$' -benchtime 1x -timeout 10m | tee $(BIN)/bench-relay-baseline/figures.txt
	@echo "== relay of this tree"
	go test ./internal/relay/ -run XXX -bench '^BenchmarkRelay$$' -benchtime 1x -timeout 10m | tee $(BIN)/bench-relay-baseline/this.txt
	@echo "== this tree against $(BENCH_RELAY_BASELINE_REF)"
	go run ./hack/benchratio $(BIN)/bench-relay-baseline/figures.txt $(BIN)/bench-relay-baseline/this.txt

.PHONY: bench-relay-open
BENCH_RELAY_OPEN_DIR ?= $(CURDIR)/.dev/bench-relay-open
bench-relay-open: $(SHOPIFY_SCHEMA) ## Relay open loop: events at rising fixed rates (250 to 32,000 a second) over 50 locations of the fake Shopify (20 ms a call, Plus plan), in requests of 50 events and of one, until a rate is not carried; for the relay of BENCH_RELAY_BASELINE_REF (default main) and of this tree, with the CPU profile's top entries at this tree's saturation. BENCH_RELAY_OPEN_STEP=10s offers each rate longer.
	rm -rf $(BENCH_RELAY_OPEN_DIR) && mkdir -p $(BENCH_RELAY_OPEN_DIR)/baseline
	git archive $(BENCH_RELAY_BASELINE_REF) | tar -x -C $(BENCH_RELAY_OPEN_DIR)/baseline
	cp internal/relay/openloop_bench_test.go $(BENCH_RELAY_OPEN_DIR)/baseline/internal/relay/
	@echo "== relay of $(BENCH_RELAY_BASELINE_REF)"
	-cd $(BENCH_RELAY_OPEN_DIR)/baseline && go test ./internal/relay/ -run XXX -bench BenchmarkRelayOpenLoop -benchtime 1x -timeout 20m | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'
	@echo "== relay of this tree"
	BENCH_RELAY_CPUPROFILE=$(BENCH_RELAY_OPEN_DIR) go test ./internal/relay/ -run XXX -bench BenchmarkRelayOpenLoop -benchtime 1x -timeout 20m | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'
	@for p in $(BENCH_RELAY_OPEN_DIR)/saturation-*.pprof; do [ -f "$$p" ] || continue; echo "== CPU at saturation, $$(basename $$p .pprof)"; go tool pprof -top -nodecount 15 $$p 2>/dev/null | tail -n +5; done

.PHONY: bench-feed
bench-feed: ## Peak memory of parsing feeds at the size and row caps (CSV, JSON, NDJSON), against the sync pod's memory limit.
	go test ./internal/fulfillment/ -run XXX -bench BenchmarkFeedAtTheCapsPeakMemory -benchtime 1x -timeout 20m | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'

FUZZTIME ?= 10m
FEED_FUZZ_TARGETS := FuzzParseCSV FuzzParseJSON FuzzParseNDJSON FuzzParseGzip

.PHONY: fuzz-feed
fuzz-feed: ## Fuzz the feed parser, each target for FUZZTIME (default 10m), one after the other.
	for target in $(FEED_FUZZ_TARGETS); do \
		go test ./internal/fulfillment/ -run XXX -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -timeout 0 -parallel 1 || exit 1; \
	done

.PHONY: bench-relay-memory
bench-relay-memory: ## Peak RSS of a relay with the default configuration after 600,000 unique events (ids of 36 and 200 bytes), after a Shopify answer of 300 MiB, and after one event to 4,000 locations (refused) and to 500 (the cap), against its 512Mi limit.
	go test ./internal/relay/ -run XXX -bench BenchmarkRelayMemory -benchtime 1x -timeout 20m

.PHONY: fuzz-relay
fuzz-relay: ## Fuzz the relay's request decoding and validation, each target for FUZZTIME (default 10m).
	for target in FuzzDecodeEvents FuzzValidateEvent; do go test ./internal/relay/ -run XXX -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -timeout 0 -parallel 1 || exit 1; done

.PHONY: run
run: build ## Run the manager against the cluster of your kubeconfig.
	$(BIN)/inventory-operator manager --sync-image=$${SYNC_IMAGE:-ghcr.io/techoms/inventory-operator:latest} --metrics-bind-address=127.0.0.1:8080 --metrics-secure=false --health-probe-bind-address=127.0.0.1:8081
include hack/dev.mk
