# gbt build, test and CI entry points. `make` builds bin/gbt.

GO       ?= go
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
LDFLAGS  := -s -w -X main.version=$(VERSION)
# go test -timeout applies to each package's test binary.
TESTTIME ?= 20m
FUZZTIME ?= 10s
# Extra go test flags, e.g. TESTFLAGS=-count=1 (CI) or TESTFLAGS='-run Parse'.
TESTFLAGS ?=

.PHONY: build test fuzz bench vet clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/gbt ./cmd/gbt

# Kernel (verifier, end-to-end) tests run when the user is root and skip
# otherwise; with GBT_KERNEL_TESTS=1 (set by .ci/run) a skip is a failure.
# -p 1 runs one package's tests at a time: the kernel tests of different
# packages attach to the same tracepoints (a raw sys_enter probe adds a
# frame to every syscall's kernel stack, for one) and must not overlap.
test:
	$(GO) test -p 1 -timeout $(TESTTIME) $(TESTFLAGS) ./...

# A short run of every fuzz target in every package, one target at a time
# (go test -fuzz takes exactly one target).
fuzz:
	@set -e; pkgs=$$($(GO) list ./...); \
	for pkg in $$pkgs; do \
		list=$$($(GO) test -list '^Fuzz' $$pkg); \
		for target in $$(echo "$$list" | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# Go benchmarks of every package, then the comparisons with bpftrace in
# bench/ (as root; bench/README.md says what each measures): start-up time
# and memory, program sizes, per-event overhead.
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bench/startup.sh
	bench/progsize.sh
	bench/overhead.sh

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

clean:
	rm -rf bin
