# Thin wrapper over CMake (presets in CMakePresets.json). A newcomer needs two commands:
#   make run    set up, build, run the main job
#   make test   set up, build, run every test natively and under WebAssembly (node)
# Build folders: build/ (native), build-wasm/ (Emscripten).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
JOBS ?= 2
# Debian's emscripten needs Debian's acorn, which a non-Debian node does not find on its own.
export NODE_PATH := /usr/share/nodejs

.PHONY: all setup native wasm run test test-native test-wasm web serve bench format clean distclean

all: native

setup:
	@scripts/setup.sh

native: setup
	cmake --preset native >/dev/null
	cmake --build --preset native -j$(JOBS)

# Until the task framework lands, the main job is a small MLP learning two-moons.
run: setup
	cmake --preset native >/dev/null
	cmake --build --preset native -j$(JOBS) --target soma_train_demo
	build/native/soma_train_demo

test: test-native test-wasm

test-native: native
	ctest --preset native

# Only core and its unit tests go to WebAssembly here, so the core stays portable.
wasm: setup
	emcmake cmake --preset wasm >/dev/null
	cmake --build --preset wasm -j$(JOBS)

test-wasm: wasm
	ctest --preset wasm

web: wasm
	@echo "make web: the browser playground arrives with its issue; for now this builds core and"
	@echo "its tests to WebAssembly in build-wasm/ (run them with 'make test-wasm')."

serve:
	@echo "make serve: nothing to serve yet; it arrives with the playground issue." >&2
	@exit 1

bench: native
	@for b in build/bench_*; do echo "== $$b"; "$$b"; done

# Formats the project's own C++ sources (never .deps/ or build folders).
format:
	git ls-files -co --exclude-standard -- '*.cpp' '*.hpp' '*.h' '*.cu' '*.cuh' | \
	  xargs -r clang-format -i

clean:
	rm -rf build build-wasm

# Also drops what setup fetched into .deps/ (the next setup needs the network again).
distclean: clean
	rm -rf .deps
