##@ Development

DEV_DIR := $(BIN)/dev
OPERATOR_BIN := $(BIN)/inventory-operator
DEVENV_BIN := $(BIN)/devenv

.PHONY: dev-binaries
dev-binaries: ## Build the operator binary and the development environment into bin.
	go build -o $(OPERATOR_BIN) ./cmd/inventory-operator
	go build -o $(DEVENV_BIN) ./cmd/devenv

.PHONY: dev
dev: dev-binaries $(SHOPIFY_SCHEMA) ## Run a local control plane with the operator, a fake Shopify store and a demo sync (Ctrl-C stops it).
	@test -x $(CONTROLPLANE)/kube-apiserver || $(MAKE) controlplane
	$(DEVENV_BIN) -dir $(DEV_DIR) -bin-dir $(CONTROLPLANE) -operator $(OPERATOR_BIN) -crds config/crd/bases

.PHONY: test-e2e
test-e2e: $(SHOPIFY_SCHEMA) ## Run the end-to-end tests: real control plane, manager and sync runs against a fake store.
	@test -x $(CONTROLPLANE)/kube-apiserver || $(MAKE) controlplane
	go test -tags e2e ./test/e2e/ -v -timeout 20m
