#!/usr/bin/env bash
# On the dev machine: everything one device-machine session needs, in build-cuda/check/ (carry
# that one folder): scripts/cuda_prepare.sh's CUDA tests, soma, benchmarks (bench_gemm,
# bench_mnist_epoch and bench_lif_layer also run issue 17's CPU figures: the same portable
# kernels as a CPU build), shared libraries and MNIST subset; and Fashion-MNIST's four IDX files
# for the CPU epoch under fashion-mnist/. Stops if the folder outgrows what one call carries
# (64 MiB, with the tracked tree's few MB beside it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/cuda_prepare.sh
check=build-cuda/check
mkdir -p "$check/fashion-mnist"
cp /usr/share/datasets/fashion-mnist/*-ubyte.gz "$check/fashion-mnist/"
size=$(du -sm "$check" | cut -f1)
echo "device_prepare.sh: $check holds $size MiB"
if [ "$size" -gt 58 ]; then
  echo "device_prepare.sh: over 58 MiB, too much to carry in one call" >&2
  exit 1
fi
