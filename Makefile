# dlvx build and test entry points. Everything goes through `make` because
# the patched Delve tree (third_party/delve) is generated, not committed:
# plain `go build` in a fresh clone fails until `make delve` has run.

GO        ?= go
BIN       := bin
DLVX      := $(BIN)/dlvx
CACHE     := $(CURDIR)/.cache
UPSTREAM  := $(CACHE)/upstream/dlv
DELVE_VERSION := $(shell sed -n 's/^version //p' patches/delve.lock)

export GOFLAGS := -buildvcs=false

.PHONY: all build delve upstream-dlv vscode-client host-setup podman-setup image vet test test-dlvx test-scripts delve-test patch-check demo bench bench-doctor bench-attach bench-preempt bench-dap bench-core bench-trace bench-sigkill delve-test-textguard clean bpf

all: build

delve:
	cd scripts && $(GO) run ./delvetree -root ..

build: delve
	$(GO) build -o $(DLVX) ./cmd/dlvx

# Upstream dlv at the pinned version, for parity tests and benchmarks.
# `go install pkg@version` ignores this module's replace directive.
upstream-dlv: $(UPSTREAM)
$(UPSTREAM): patches/delve.lock
	GOBIN=$(CACHE)/upstream $(GO) install github.com/go-delve/delve/cmd/dlv@$(DELVE_VERSION)
	@touch $@

vet: delve
	$(GO) mod tidy -diff
	$(GO) vet ./...
	cd scripts && $(GO) vet ./...

test: vet test-scripts test-dlvx delve-test
	@echo "make test: all suites passed"

test-dlvx: host-setup build upstream-dlv vscode-client podman-setup
	DLVX_UPSTREAM_DLV=$(UPSTREAM) $(PODMAN_ENV) $(GO) test -count=1 -timeout 15m ./...

# podman and runc for the real-container tests, with a private configuration
# in .cache/podman (never the host's /etc/containers).
PODMAN_ENV := CONTAINERS_CONF=$(CACHE)/podman/containers.conf CONTAINERS_STORAGE_CONF=$(CACHE)/podman/storage.conf
podman-setup:
	./scripts/setup-podman.sh

# The debug image (Containerfile): a static dlvx on an empty base.
IMAGE  ?= localhost/dlvx:latest
ENGINE ?= podman
image: delve
	mkdir -p $(BIN)/image
	CGO_ENABLED=0 $(GO) build -o $(BIN)/image/dlvx ./cmd/dlvx
	$(ENGINE) build -f Containerfile -t $(IMAGE) $(BIN)/image

# Programs the tests drive (gdb, setpriv, gcc, node, ...), from Debian's packages when missing.
host-setup:
	./scripts/setup-host.sh

test-scripts:
	cd scripts && $(GO) test -count=1 ./...

# VS Code's own DAP test client (npm @vscode/debugadapter-testsupport), pinned by its package-lock.
VSCODE_CLIENT := cmd/dlvx/testdata/vscode-client
vscode-client: $(VSCODE_CLIENT)/node_modules/.package-lock.json
$(VSCODE_CLIENT)/node_modules/.package-lock.json: $(VSCODE_CLIENT)/package-lock.json
	cd $(VSCODE_CLIENT) && npm ci --no-audit --no-fund

# Delve's own suites, whole, for every Delve package the patches touch, cmd/dlv and service/test.
delve-test: delve
	./scripts/delve-test.sh

# Delve's suites for the packages patch 0011 touches, with dlvx's breakpoint
# text guard installed in their test binaries (in a scratch copy of the tree).
delve-test-textguard: delve
	./scripts/delve-test-textguard.sh

# Every patch is load-bearing: the tests its header names (Test: lines) pass with every patch and
# fail on a tree without that patch alone (generated under .cache/patch-check).
patch-check: delve
	cd scripts && $(GO) run ./patchcheck -root ..

demo: build
	./scripts/demo.sh $(DLVX)

# Benchmarks against upstream dlv in one run; they print ratios, never assert times.
bench: bench-doctor bench-attach bench-preempt bench-dap bench-core bench-trace bench-sigkill

bench-doctor: build upstream-dlv
	./scripts/bench-doctor.sh

bench-core: build
	./scripts/bench-core.sh

bench-attach: build upstream-dlv
	DLVX_UPSTREAM_DLV=$(UPSTREAM) ./scripts/bench-attach.sh

bench-preempt: build upstream-dlv
	DLVX_UPSTREAM_DLV=$(UPSTREAM) ./scripts/bench-preempt.sh

# dlvx trace preempt:entry, eBPF against ptrace, and what each costs the
# traced program (needs root or CAP_BPF+CAP_PERFMON).
bench-trace: build
	./scripts/bench-trace.sh

bench-sigkill: build upstream-dlv
	DLVX_UPSTREAM_DLV=$(UPSTREAM) ./scripts/bench-sigkill.sh

bench-dap: build upstream-dlv
	DLVX_UPSTREAM_DLV=$(UPSTREAM) $(GO) test -run '^$$' -bench DAP -benchtime 5x ./cmd/dlvx ./service/dap

# The BPF object of dlvx trace --ebpf, committed with its loader; needs
# clang and llvm-strip (apt-get install clang llvm), dlvx's build does not.
bpf:
	cd preempttrace && $(GO) generate ./

clean:
	rm -rf $(BIN) third_party $(CACHE)
