# The two commands a newcomer needs: `make demo` (the main job) and
# `make test` (everything CI runs). See README.md.

GO      ?= go
PKGS    := ./...
# go test starts package binaries in the order given, -p (the core count)
# at a time, and the end-to-end package ./tests, the suite's longest, sorts
# last in ./...: it started only once every other package had, and ran its
# last stretch alone. Listing the longest packages first lets the short
# ones fill the other slot meanwhile (./... after them adds the rest once).
ifeq ($(PKGS),./...)
TESTPKGS := ./tests ./cli ./cli/internal/tf ./cli/internal/console ./...
else
TESTPKGS := $(PKGS)
endif
# One end-to-end deploy costs minutes on the emulator; the whole suite
# stays well inside CI's budget.
TIMEOUT ?= 60m
# -count=1: results of tests that deploy to an emulator must never come
# from the build cache.

# CDKTF's jsii runtime prints an end-of-life banner for older Node majors
# on every synth; the check runs before main, so it must be silenced from
# outside (the sst CLI does the same for the apps it runs).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null)

.PHONY: build install demo test lint tools tofu modules fuzz bench bench-sites

# Pinned tools, built from source into the ignored bin/tools once per
# checkout: staticcheck for `make lint`, tfsec for the audit in tests/.
TOOLS       := $(CURDIR)/bin/tools
STATICCHECK := $(TOOLS)/staticcheck
TFSEC       := $(TOOLS)/tfsec

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

$(TFSEC):
	GOBIN=$(TOOLS) $(GO) install github.com/aquasecurity/tfsec/cmd/tfsec@v1.28.14

# OpenTofu, for --engine tofu and the suite's tests of it. Built from its
# module (scripts/build-tofu.sh: go install refuses its replace directives),
# skipped when bin/tools/tofu already is this version. A cold build costs
# minutes of CPU (BENCHMARKS.md); CI's machine keeps bin/tools' go build
# cache, so later runs only check the version.
TOFU_VERSION := v1.12.6

tofu:
	./scripts/build-tofu.sh $(TOFU_VERSION) $(TOOLS)/tofu

tools: $(STATICCHECK) $(TFSEC) tofu

# The Go modules the suite needs offline: the whole module graph, not only
# what the project's packages build from. The end-to-end tests scaffold
# apps with `sst init`, whose `go mod tidy` runs with GOPROXY=off and also
# needs the modules that the tests of sst's dependencies import (testify,
# go-cmp, ...), which plain `go mod download` leaves out. `go mod download
# all` would write their sums into go.sum too, so it runs on a copy of
# go.mod and go.sum and the checkout stays as it is.
modules:
	@dir=$$(mktemp -d) && cp go.mod go.sum "$$dir"/ && \
	  (cd "$$dir" && $(GO) mod download all); status=$$?; rm -rf "$$dir"; \
	  [ $$status -eq 0 ] && $(GO) mod download

# What the binary knows about its source: `sst version` prints the module
# version and commit, and `sst init` makes new apps require that version with
# a replace directive to this checkout (so they build wherever sst is
# installed). Recursive variables: git runs only for build and install.
SST_VERSION = $(shell ./scripts/version.sh)
SST_COMMIT  = $(shell git rev-parse HEAD 2>/dev/null)
SST_LDFLAGS = -X 'github.com/sst-tf/sst/cli.Version=$(SST_VERSION)' \
              -X 'github.com/sst-tf/sst/cli.Commit=$(SST_COMMIT)' \
              -X 'github.com/sst-tf/sst/cli.SourceDir=$(CURDIR)'

build:
	$(GO) build -ldflags "$(SST_LDFLAGS)" -o bin/sst ./cli/sst

# Into $GOBIN, else $(go env GOPATH)/bin, like any `go install`.
install:
	$(GO) install -ldflags "$(SST_LDFLAGS)" ./cli/sst

demo:
	./scripts/demo.sh

lint: $(STATICCHECK)
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(STATICCHECK) $(PKGS)

# A short run of every fuzz target on top of the checked-in seed corpora
# (the seeds themselves run in `go test`).
fuzz:
	./scripts/fuzz.sh 10s

# -vet=off: `make lint` has just run the full `go vet` on the same
# packages, a superset of the checks go test runs by default; go test's
# own pass over every package cost ≈ 115 CPU s more (BENCHMARKS.md).
# GOGC: the suite is CPU-bound on two cores, and two thirds of the
# end-to-end tests' CPU is terraform's AWS provider building its schema at
# each start, about a third of that garbage collection at Go's default. The sst CLI already runs
# terraform at tfenv.GOGC; this gives the same to the terraform the tests
# run themselves, to the compiles and to the test binaries.
test: lint build
	GOGC=$${GOGC:-400} $(GO) test -count=1 -vet=off -timeout $(TIMEOUT) $(TESTPKGS)
	./scripts/fuzz.sh 20000x

bench: build
	./scripts/bench.sh
	./scripts/bench-dev.sh
	./scripts/bench-dev-queue.sh

bench-sites: build
	./scripts/bench-sites.sh
