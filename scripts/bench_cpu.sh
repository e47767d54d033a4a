#!/usr/bin/env bash
# Every CPU benchmark at both x86-64 kernel levels (SOMA_ISA=v3: AVX2, v4: AVX-512; see
# core/backend/isa.hpp) and 1, 2, 4, 8 and 16 threads (issue 17's scaling table on a 16-core
# machine). Levels the CPU lacks and thread counts above its cores are left out. Each run's
# output goes to OUT/<bench>-<level>-<threads>t.txt; a summary of the headline lines to stdout.
# Usage: scripts/bench_cpu.sh [--quick] [BUILD_DIR] [OUT]   (defaults: build, bench-cpu-<date>)
set -euo pipefail
quick=()
if [ "${1:-}" = "--quick" ]; then
  quick=(--quick)
  shift
fi
build=${1:-build}
out=${2:-bench-cpu-$(date +%Y%m%d-%H%M)}
for b in bench_gemm bench_mnist_epoch bench_lif_layer; do
  [ -x "$build/$b" ] || { echo "bench_cpu.sh: $build/$b is missing (make native)" >&2; exit 2; }
done
mkdir -p "$out"
cores=$(nproc)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $cores cores; results in $out"
for level in v3 v4; do
  need="avx2 fma bmi2"
  [ $level = v4 ] && need="$need avx512f avx512bw avx512cd avx512dq avx512vl"
  missing=0
  for flag in $need; do
    grep -m1 '^flags' /proc/cpuinfo | grep -qw "$flag" || missing=1
  done
  if [ $missing = 1 ]; then
    echo "level $level: not run by this CPU, skipped"
    continue
  fi
  for threads in 1 2 4 8 16; do
    [ "$threads" -le "$cores" ] || continue
    for b in bench_gemm bench_mnist_epoch bench_lif_layer; do
      f="$out/$b-$level-${threads}t.txt"
      SOMA_ISA=$level OMP_NUM_THREADS=$threads "$build/$b" "${quick[@]}" >"$f" 2>&1 ||
        echo "$b at $level, $threads threads: failed (see $f)"
      echo "== $b $level ${threads}t"
      grep -E "GFLOP/s|soma  |per step|floor|sparse|fused" "$f" | head -12 || true
    done
  done
done
