# The two commands of the quick start are `make demo` and `make test`.
JOBS ?= $(shell nproc)
BUILD ?= build
CMAKE_FLAGS ?=
CTEST_FLAGS ?=
# ccache keys on relative paths, so fresh clones in other folders reuse its cache.
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: all deps configure build test demo sanitize bench clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# Everything: the main build's suite, then the Ascend backend against the
# CPU-simulated CANN (its own build directory), when that part exists.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_FLAGS)
	@if [ -f scripts/test-ascend-sim.sh ]; then bash scripts/test-ascend-sim.sh; fi

demo: build
	@bash scripts/demo.sh

sanitize: deps
	@cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLLAMAFACTORY_SANITIZE=ON -DLLAMAFACTORY_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-sanitize -j $(JOBS)
	@cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp ctest --output-on-failure -j $(JOBS) $(CTEST_FLAGS)

bench: build
	@bash scripts/bench.sh

clean:
	rm -rf $(BUILD) build-sanitize build-ascend-sim
