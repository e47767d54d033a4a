#!/usr/bin/env bash
# Every CPU benchmark at both x86-64 kernel levels (SOMA_ISA=v3: AVX2, v4: AVX-512; see
# core/backend/isa.hpp) and 1, 2, 4, 8 and 16 threads (issue 17's scaling table on a 16-core
# machine). Levels the CPU lacks and thread counts above its cores are left out. bench_gemm
# times every level itself, so it runs once per thread count.
#
# Order: one thread at each level first (the per-CPU bars), then the thread counts at v4 (v3 on
# a CPU without AVX-512), then at v3. With --budget SECONDS, runs that would
# start after that many seconds are skipped and listed (a device machine's time is counted).
# Runs are pinned to the first N cores (taskset) so that N threads get N cores of their own.
#
# Each run's output goes to OUT/<bench>-<level>-<threads>t.txt; a summary of the headline lines
# to stdout. FASHION_DIR, if set, is passed to bench_mnist_epoch as --data_dir.
# Usage: scripts/bench_cpu.sh [--quick] [--budget SECONDS] [BUILD_DIR] [OUT]
#        (defaults: build, bench-cpu-<date>)
set -euo pipefail
quick=()
budget=0
while [ $# -gt 0 ]; do
  case $1 in
  --quick) quick=(--quick) ;;
  --budget) budget=$2 && shift ;;
  *) break ;;
  esac
  shift
done
build=${1:-build}
out=${2:-bench-cpu-$(date +%Y%m%d-%H%M)}
for b in bench_gemm bench_mnist_epoch bench_lif_layer; do
  [ -x "$build/$b" ] || { echo "bench_cpu.sh: $build/$b is missing (make native)" >&2; exit 2; }
done
mkdir -p "$out"
cores=$(nproc)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $cores cores; results in $out"

has_level() {  # has_level v3|v4: the CPU runs that level's kernels
  local need="avx2 fma bmi2"
  [ "$1" = v4 ] && need="$need avx512f avx512bw avx512cd avx512dq avx512vl"
  for flag in $need; do
    grep -m1 '^flags' /proc/cpuinfo | grep -qw "$flag" || return 1
  done
}
levels=()
for level in v4 v3; do
  if has_level $level; then levels+=($level); else echo "level $level: not run by this CPU, skipped"; fi
done
[ ${#levels[@]} -gt 0 ] || { echo "bench_cpu.sh: this CPU runs neither v3 nor v4" >&2; exit 2; }

skipped=()
bench() {  # bench NAME LEVEL THREADS
  local b=$1 level=$2 threads=$3 f="$out/$1-$2-${3}t.txt" args=("${quick[@]}")
  if [ "$budget" -gt 0 ] && [ "$SECONDS" -ge "$budget" ]; then
    skipped+=("$b $level ${threads}t")
    return 0
  fi
  [ "$b" = bench_mnist_epoch ] && [ -n "${FASHION_DIR:-}" ] && args+=(--data_dir "$FASHION_DIR")
  local pin=()
  command -v taskset >/dev/null && pin=(taskset -c "0-$((threads - 1))")
  SOMA_ISA=$level OMP_NUM_THREADS=$threads "${pin[@]}" "$build/$b" "${args[@]}" >"$f" 2>&1 ||
    echo "$b at $level, $threads threads: failed (see $f)"
  echo "== $b $level ${threads}t ($SECONDS s)"
  grep -E "GFLOP/s|soma  |per step|floor|sparse|fused" "$f" | head -12 || true
}
run_all() {  # run_all LEVEL THREADS [with_gemm]
  [ "${3:-}" = with_gemm ] && bench bench_gemm "$1" "$2"
  bench bench_mnist_epoch "$1" "$2"
  bench bench_lif_layer "$1" "$2"
}

first=1
for level in "${levels[@]}"; do
  if [ $first = 1 ]; then run_all "$level" 1 with_gemm; else run_all "$level" 1; fi
  first=0
done
for level in "${levels[@]}"; do
  for threads in 2 4 8 16; do
    [ "$threads" -le "$cores" ] || continue
    if [ "$level" = "${levels[0]}" ]; then run_all "$level" $threads with_gemm; else run_all "$level" $threads; fi
  done
done
if [ ${#skipped[@]} -gt 0 ]; then
  echo "out of time (--budget $budget s), not run: ${skipped[*]}"
fi
echo "bench_cpu.sh done in $SECONDS s"
