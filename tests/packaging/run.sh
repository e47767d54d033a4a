#!/usr/bin/env bash
# The `packaging` test (ctest): builds tests/packaging/consumer against Soma three ways and runs it.
#   1. `cmake --install` of Soma's own build (BUILD_DIR, already built: nothing compiles) into
#      WORK/prefix, then find_package(Soma)
#   2. the same installed tree through pkg-config (soma.pc) and a bare compiler command line
#   3. add_subdirectory(soma) from the source tree: compiles soma_core only (no tests, benchmarks
#      or apps). Soma's part builds in BUILD_DIR-subdir, beside BUILD_DIR with the same flags, so
#      that ccache (whose CCACHE_BASEDIR makes paths relative to the build folder) serves it from
#      BUILD_DIR's objects when the environment uses ccache; without ccache it compiles in full.
# usage: run.sh SOMA_SOURCE_DIR SOMA_BUILD_DIR WORK_DIR
set -euo pipefail
SRC=$(cd "$1" && pwd)
BUILD=$2
WORK=$3
JOBS=${JOBS:-2}
rm -rf "$WORK" && mkdir -p "$WORK"
LOG="$WORK/build.log"
say() { echo "[packaging] $*"; }
quiet() {  # runs a command with its output in the log, shown only if it fails
  "$@" >>"$LOG" 2>&1 || { cat "$LOG" >&2; echo "[packaging] FAILED: $*" >&2; exit 1; }
}
check() {  # the consumer prints "ok <version> 1"
  local out
  out=$("$@")
  echo "$out"
  [[ $out == "ok "*" 1" ]] || { echo "[packaging] FAILED: $*" >&2; exit 1; }
}

say "1. cmake --install $BUILD, then find_package(Soma)"
quiet cmake --install "$BUILD" --prefix "$WORK/prefix"
test -f "$WORK/prefix/lib/cmake/Soma/SomaConfig.cmake"
test -f "$WORK/prefix/lib/pkgconfig/soma.pc"
test -f "$WORK/prefix/include/soma/core/neuron/lif.hpp"
quiet cmake -S "$SRC/tests/packaging/consumer" -B "$WORK/by-package" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$WORK/prefix"
quiet cmake --build "$WORK/by-package" -j"$JOBS"
check "$WORK/by-package/consumer"

say "2. pkg-config soma"
export PKG_CONFIG_PATH="$WORK/prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC2046
quiet ${CXX:-c++} -O1 "$SRC/tests/packaging/consumer/main.cpp" -o "$WORK/consumer-pc" \
      $(pkg-config --cflags --libs soma)
check "$WORK/consumer-pc"

say "3. add_subdirectory(soma)"
SUBDIR_BUILD="${BUILD%/}-subdir"
rm -rf "$SUBDIR_BUILD"
quiet cmake -S "$SRC/tests/packaging/consumer" -B "$WORK/by-subdir" -DCMAKE_BUILD_TYPE=Release \
      -DSOMA_SOURCE_DIR="$SRC" -DSOMA_BINARY_DIR="$SUBDIR_BUILD"
quiet cmake --build "$WORK/by-subdir" -j"$JOBS"
check "$WORK/by-subdir/consumer"
say "all three ways build and run"
