#!/usr/bin/env bash
# On the dev machine: everything one device-machine session needs, in build-cuda/check/ (carry
# that one folder): scripts/cuda_prepare.sh's CUDA tests, soma and MNIST subset; the portable
# CPU benchmarks from build/ (issue 17's Xeon and thread-scaling figures) under cpu/; and
# Fashion-MNIST's four IDX files for bench_mnist_epoch under fashion-mnist/. Stops if the folder
# outgrows what one call carries (64 MiB, with the tracked tree's few MB beside it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/cuda_prepare.sh
cmake --preset native >/dev/null
nice -n 15 cmake --build --preset native -j2 --target bench_gemm bench_mnist_epoch bench_lif_layer
check=build-cuda/check
mkdir -p "$check/cpu" "$check/fashion-mnist"
cp build/bench_gemm build/bench_mnist_epoch build/bench_lif_layer "$check/cpu/"
strip "$check"/cpu/bench_* 2>/dev/null || true
cp /usr/share/datasets/fashion-mnist/*-ubyte.gz "$check/fashion-mnist/"
size=$(du -sm "$check" | cut -f1)
echo "device_prepare.sh: $check holds $size MiB"
if [ "$size" -gt 58 ]; then
  echo "device_prepare.sh: over 58 MiB, too much to carry in one call" >&2
  exit 1
fi
