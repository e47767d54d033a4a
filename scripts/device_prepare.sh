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
mkdir -p "$check/fashion-mnist"
python3 - /usr/share/datasets/fashion-mnist "$check/fashion-mnist" <<'PY'
import gzip, struct, sys
src, dst = sys.argv[1], sys.argv[2]
for kind, n in (("train", 12288), ("t10k", 512)):
    for what in ("images-idx3", "labels-idx1"):
        name = f"{kind}-{what}-ubyte.gz"
        data = gzip.open(f"{src}/{name}").read()
        dims = data[3]
        shape = list(struct.unpack(">" + "i" * dims, data[4:4 + 4 * dims]))
        record = 1
        for d in shape[1:]:
            record *= d
        head = 4 + 4 * dims
        shape[0] = n
        out = data[:4] + struct.pack(">" + "i" * dims, *shape) + data[head:head + n * record]
        with gzip.open(f"{dst}/{name}", "wb") as f:
            f.write(out)
PY
size=$(du -sm "$check" | cut -f1)
echo "device_prepare.sh: $check holds $size MiB"
if [ "$size" -gt 58 ]; then
  echo "device_prepare.sh: over 58 MiB, too much to carry in one call" >&2
  exit 1
fi
