#!/usr/bin/env bash
# The `packaging` test (ctest): builds tests/packaging/consumer against Soma three ways and runs it.
#   1. cmake --install of Soma (soma_core only) into WORK/prefix, then find_package(Soma)
#   2. the same installed tree through pkg-config (soma.pc) and a bare compiler command line
#   3. add_subdirectory(soma) from the source tree
# Each build compiles soma_core only (no tests, benchmarks or apps), through ccache when the
# environment names it (CMAKE_CXX_COMPILER_LAUNCHER), so a rerun takes seconds.
# usage: run.sh SOMA_SOURCE_DIR WORK_DIR
set -euo pipefail
SRC=$(cd "$1" && pwd)
WORK=$2
JOBS=${JOBS:-2}
rm -rf "$WORK" && mkdir -p "$WORK"
say() { echo "[packaging] $*"; }
check() {  # the consumer prints "ok <version> 1"
  local out
  out=$("$@")
  echo "$out"
  [[ $out == "ok "*" 1" ]] || { echo "[packaging] FAILED: $*" >&2; exit 1; }
}
flags=(-DCMAKE_BUILD_TYPE=Release -DSOMA_NATIVE_ARCH=OFF)

say "1. install soma_core, then find_package(Soma)"
cmake -S "$SRC" -B "$WORK/soma" "${flags[@]}" -DSOMA_TESTS=OFF -DSOMA_BENCH=OFF -DSOMA_APPS=OFF \
      -DCMAKE_INSTALL_PREFIX="$WORK/prefix" >/dev/null
cmake --build "$WORK/soma" -j"$JOBS" --target soma_core >/dev/null
cmake --install "$WORK/soma" >/dev/null
test -f "$WORK/prefix/lib/cmake/Soma/SomaConfig.cmake"
test -f "$WORK/prefix/include/soma/core/neuron/lif.hpp"
cmake -S "$SRC/tests/packaging/consumer" -B "$WORK/by-package" "${flags[@]}" \
      -DCMAKE_PREFIX_PATH="$WORK/prefix" >/dev/null
cmake --build "$WORK/by-package" -j"$JOBS" >/dev/null
check "$WORK/by-package/consumer"

say "2. pkg-config soma"
export PKG_CONFIG_PATH="$WORK/prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC2046
${CXX:-c++} -O1 "$SRC/tests/packaging/consumer/main.cpp" -o "$WORK/consumer-pc" \
      $(pkg-config --cflags --libs soma)
check "$WORK/consumer-pc"

say "3. add_subdirectory(soma)"
cmake -S "$SRC/tests/packaging/consumer" -B "$WORK/by-subdir" "${flags[@]}" \
      -DSOMA_SOURCE_DIR="$SRC" >/dev/null
cmake --build "$WORK/by-subdir" -j"$JOBS" >/dev/null
check "$WORK/by-subdir/consumer"
say "all three ways build and run"
