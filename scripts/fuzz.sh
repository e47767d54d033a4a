#!/usr/bin/env bash
# Runs every libFuzzer target of the sanitize build for SECONDS each on its seed corpus
# (fuzz/corpus/<name>/; new inputs go to a scratch copy, the committed seeds stay as they are).
# A crash, a sanitizer report, a leak or an input that takes over 10 s fails the script and
# leaves the input in build-sanitize/fuzz-findings/. Prints execs and seconds per target.
#   scripts/fuzz.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-5}
build=${2:-build-sanitize}
findings=$build/fuzz-findings
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$findings"
status=0
for corpus in fuzz/corpus/*/; do
  name=$(basename "$corpus")
  bin=$build/fuzz/fuzz_$name
  [[ -x $bin ]] || { echo "fuzz: $bin is missing (cmake --build --preset sanitize --target fuzz_all)"; exit 1; }
  mkdir -p "$scratch/$name"
  cp "$corpus"* "$scratch/$name/"
  log=$scratch/$name.log
  # CIFAR-10 records are 3,073 bytes: room for a few. 2 GB of RSS is a leak or a bomb.
  if TMPDIR=$scratch "$bin" "$scratch/$name" -max_total_time="$seconds" -max_len=16384 \
       -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$findings/$name-" >"$log" 2>&1; then
    echo "fuzz_$name: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" || tail -1 "$log")"
  else
    status=1
    echo "fuzz_$name: FAILED; the input is in $findings/"
    tail -40 "$log"
  fi
done
exit $status
