#!/usr/bin/env bash
# One device-machine session's checks, from build-cuda/check (scripts/device_prepare.sh made
# it on the dev machine). Four parts, each one call of at most 10 minutes:
#   cuda: scripts/cuda_check.sh (issue 11: the GPU suite, short runs on cuda and cpu, the
#         benchmarks) -> $OUT/cuda.log
#   cpu:  scripts/bench_cpu.sh --quick (issue 17: both kernel levels at one thread, then 2, 4,
#         8 and 16 threads) within BUDGET seconds (default 480) -> $OUT/cpu.log
#   sanitize [FILTER]: the GPU suite (or its test cases matching FILTER) under compute-sanitizer's
#         memcheck, then racecheck, within BUDGET seconds (default 300) -> $OUT/sanitize.log;
#         the follow-up when the cuda part found a failure (the caching allocator hands out
#         slices of larger blocks, so memcheck sees overruns past a block's end only)
#   profile: Nsight Compute's time per kernel over two training batches and a test batch of
#         cifar10's full model at T (default 32) -> $OUT/ncu.csv and its summary by kernel
#         (scripts/ncu_summary.py) in $OUT/profile.log, within BUDGET seconds (default 240)
# Usage: bash scripts/device_check.sh cuda|cpu|sanitize [FILTER]|profile
# A device session (15 minutes of device time, the start included): run(command="bash
# scripts/device_check.sh cuda", carry=["build-cuda/check"], timeout_s=420), then at once (the
# machine stays warm 30 s) the others that fit what is left, each with BUDGET below it; then
# give_back. On 2026-12-04: cuda 44 s, cpu 117 s, sanitize about 5 minutes (docs/cuda.md).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
check=${CHECK_DIR:-build-cuda/check}
out=${OUT:-.}
# Debian's libraries the binaries need and the GPU machine lacks (cuda_prepare.sh packed them).
use_packed_libs() {
  [[ -f $check/lib.tgz ]] || return 0
  local libs
  libs=$(mktemp -d)
  tar xzf "$check/lib.tgz" -C "$libs"
  export LD_LIBRARY_PATH=$libs/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
}
case ${1:-} in
cuda) exec bash scripts/cuda_check.sh ;;
cpu)
  log=$out/cpu.log
  runs=$(mktemp -d)
  use_packed_libs
  FASHION_DIR=$check/fashion-mnist bash scripts/bench_cpu.sh --quick --budget "${BUDGET:-480}" \
    "$check" "$runs" 2>&1 | tee "$log"
  # Every run's whole output in the one log: only 8 files come back from a call.
  for f in "$runs"/*.txt; do
    printf '\n##### %s\n' "$(basename "$f")" >>"$log"
    cat "$f" >>"$log"
  done
  ;;
sanitize)
  log=$out/sanitize.log
  use_packed_libs
  cs=$(command -v compute-sanitizer || find /usr/local /opt -name compute-sanitizer -type f 2>/dev/null | head -1)
  filter=(${2:+--test-case=$2})
  budget=${BUDGET:-300}
  for tool in memcheck racecheck; do
    left=$((budget - SECONDS))
    ((left > 10)) || break
    echo "=== $tool: $cs ${filter[*]} (limit $left s)" | tee -a "$log"
    timeout "$left" "$cs" --tool "$tool" --error-exitcode 9 "$check/soma_cuda_tests" "${filter[@]}" \
      >>"$log" 2>&1
    echo "=== $tool: exit $? ($SECONDS s)" | tee -a "$log"
  done
  tail -40 "$log"
  ;;
profile)
  runs=$(mktemp -d)
  use_packed_libs
  ncu=$(command -v ncu || find /usr/local /opt -name ncu -type f 2>/dev/null | head -1)
  [[ -n $ncu ]] || { echo "device_check.sh profile: no ncu (Nsight Compute) here" >&2; exit 1; }
  timeout "${BUDGET:-240}" "$ncu" --csv --print-units base --metrics gpu__time_duration.sum \
    --log-file "$out/ncu.csv" "$check/soma" cifar10 --quiet --seed 3 --seq_length "${T:-32}" \
    --batch_size 32 --max_steps 2 --val_fraction 0 --limit_train 64 --limit_test 32 \
    --data_dir "$check/cifar10" --overwrite --device cuda --out "$runs/cifar10"
  echo "=== ncu: exit $? ($SECONDS s)"
  python3 scripts/ncu_summary.py "$out/ncu.csv" 30 | tee "$out/profile.log"
  ;;
*)
  echo "usage: bash scripts/device_check.sh cuda|cpu|sanitize [FILTER]|profile" >&2
  exit 2
  ;;
esac
