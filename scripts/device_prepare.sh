#!/usr/bin/env bash
# On the dev machine: everything one device-machine session needs, in build-cuda/check/ (carry
# that one folder): scripts/cuda_prepare.sh's CUDA tests, soma, benchmarks (bench_gemm,
# bench_mnist_epoch and bench_lif_layer also run issue 17's CPU figures: the same portable
# kernels as a CPU build), shared libraries and MNIST subset; and a Fashion-MNIST subset for the
# CPU epoch under fashion-mnist/. Stops if the folder outgrows what one call carries
# (64 MiB, with the tracked tree's few MB beside it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/cuda_prepare.sh
check=build-cuda/check
# bench_mnist_epoch --quick trains 40 batches of 256: the first 12,288 training and 512 test
# images of Fashion-MNIST (gzipped, ~5 MB) give it real pixels without the whole 30 MB set.
python3 scripts/idx_subset.py /usr/share/datasets/fashion-mnist "$check/fashion-mnist" \
  train=12288 t10k=512
size=$(du -sm "$check" | cut -f1)
echo "device_prepare.sh: $check holds $size MiB"
if [ "$size" -gt 58 ]; then
  echo "device_prepare.sh: over 58 MiB, too much to carry in one call" >&2
  exit 1
fi
