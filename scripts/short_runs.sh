#!/usr/bin/env bash
# A few steps of every task through the `soma` command line, for the sanitizer build (make
# test-sanitize): each run must exit 0 and, under ASan/UBSan, without a report.
#   scripts/short_runs.sh [SOMA_BINARY]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
soma=${1:-build-sanitize/soma}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0
run() {  # each run its own fresh --out folder
  local task=$1 dir=$out/run$((++n))
  shift
  local t0=$SECONDS
  "$soma" "$task" --quiet --out "$dir" "$@" >"$dir.log" 2>&1 ||
    { echo "short run of $task $* failed:"; cat "$dir.log"; exit 1; }
  echo "$task: ok ($((SECONDS - t0)) s)"
}
run mnist --model rec --hidden 16 --seq_length 4 --limit_train 96 --limit_test 32 \
  --batch_size 32 --epochs 1
run mnist --model conv --seq_length 2 --limit_train 32 --limit_test 16 --batch_size 16 --epochs 1
run memory --samples 8 --batch_size 4 --seq_length 5 --seq_periods 4 --epochs 1
run correlation --episodes 2 --seq_length 20 --input_features 5
run cartpole --episodes 2 --max_episode_steps 20
echo '{"epochs": 1, "dataset_size": 5, "settling_time": 1, "random_seed": [1, 2], "rec_BPP": true}' \
  >"$out/mc.json"
run microcircuit --params "$out/mc.json" --task fw_bw
run microcircuit --load "$out/run$n/model.json"
run digits
run neurons --model izhikevich --preset resonator --duration_ms 50
run neurons --model coba_lif --neurons 5 --duration_ms 20
run izhikevich --preset bistability --chunk_ms 20
