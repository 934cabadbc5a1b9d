##@ Development

DEV_DIR := $(BIN)/dev
DEVENV_BIN := $(BIN)/devenv
DEV_IMAGE := ghcr.io/techoms/inventory-operator:dev
# DEV_INSTALL=chart installs the manager from charts/inventory-operator instead of config/default.
DEV_INSTALL ?= kustomize

# The node's packages, installed with apt-get when one is missing (as root: the node needs it).
NODE_PACKAGES := containerd runc containernetworking-plugins iptables iproute2
NODE_TOOLS := containerd ctr runc iptables ip /usr/lib/cni/bridge /usr/lib/cni/host-local

.PHONY: node-deps
node-deps: ## Install containerd, runc, the CNI plugins and iptables from Debian's packages when missing (needs root).
	@missing=""; for t in $(NODE_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "the local node needs$$missing: run as root, or install them: apt-get install -y $(NODE_PACKAGES)"; exit 1; fi; \
		echo "installing$$missing from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(NODE_PACKAGES) >/dev/null; \
	fi

.PHONY: dev
dev: node-deps $(SHOPIFY_SCHEMA) ## Run a local cluster with a real node, the operator and relay as Deployments, a fake Shopify store and a demo sync (Ctrl-C stops it; needs root).
	@test -x $(CONTROLPLANE)/kubelet || $(MAKE) controlplane
	$(MAKE) -s image IMAGE=$(DEV_IMAGE)
	go build -o $(DEVENV_BIN) ./cmd/devenv
	$(DEVENV_BIN) -dir $(DEV_DIR) -bin-dir $(CONTROLPLANE) -image $(IMAGE_TAR) -image-ref $(DEV_IMAGE) \
		$(if $(filter chart,$(DEV_INSTALL)),-chart)

.PHONY: test-e2e
test-e2e: node-deps $(SHOPIFY_SCHEMA) ## Run the end-to-end tests on a real node: the image, config/default and config/relay, sync runs against fake stores (needs root).
	@test -x $(CONTROLPLANE)/kubelet || $(MAKE) controlplane
	go test -tags e2e ./test/e2e/ -v -timeout 20m
