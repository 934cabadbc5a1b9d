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
controlplane: ## Build etcd, kube-apiserver and kube-controller-manager into bin/k8s.
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
