#!/usr/bin/env bash
# The CUDA backend's checks for a machine with an NVIDIA GPU, in one run of under 6 minutes:
#   1. soma_cuda_tests: every CUDA op against its CPU op (values and gradients), the recurrent
#      layer and the MNIST rec and conv models' training steps;
#   2. the benchmarks of issue 11 on the GPU (--quick: the target shapes, 3 repeats):
#      bench_lif_layer --device cuda (training n = 512, 4096, 16384 fp32 and TF32, peak memory,
#      Norse's inference N = 5000, each against cuBLAS in the same run) and bench_mnist_epoch
#      --device cuda (the rec epoch, extrapolated from 40 steps on the MNIST subset),
#      bench_neuron_models --device cuda (the fused cell scans against the step loops) and
#      bench_cifar10_epoch --device cuda (a batch of the full cifar10 model, fp32 and TF32);
#   3. a short `soma mnist --model rec`, then `--model conv`, then `soma cifar10`, on cuda and
#      on cpu from the same seed: the loss curves should follow each other (the GPU's
#      Poisson/constant encoders: constant here, so the spikes are the same; rounding differs);
#   4. a short `soma speech_commands` (models lif, lsnn and lstm) on cuda and on cpu from the same
#      seed on the tone set of build-cuda/check/speech, and the lsnn GPU run resumed on the CPU;
#   5. the device's name and memory (nvidia-smi), for the record.
# Each step has a time limit, cut to what is left of a 345 s budget (CHECK_BUDGET_S; a step with
# under 10 s left is skipped and says so), so that the whole script stays under 6 minutes.
# Everything goes to one log, $OUT/cuda.log (or ./cuda.log without $OUT). The script runs every
# step whatever the earlier ones did, then exits 1 naming the steps that failed (a non-zero exit:
# 77 is soma_cuda_tests finding no GPU, 124 a step's time limit), so a caller that reads only the
# exit status still sees a failure; 0 when every step that ran passed.
#
# Built on the dev machine (no GPU there): `scripts/cuda_prepare.sh` builds build-cuda/ and puts
# what this script needs under build-cuda/check/ (the binaries and an MNIST subset, ~20 MB);
# carry build-cuda/check to the GPU machine and run `bash scripts/cuda_check.sh`.
#
# `make test-cuda-emu` runs this script on the host emulator's build (CHECK_DIR=
# build-cuda-emu/check, which holds a file EMULATED): the same tests and short runs, without
# nvidia-smi and the benchmarks, whose numbers would mean nothing there.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=${CHECK_DIR:-build-cuda/check}
log=${OUT:-.}/cuda.log
mkdir -p "$(dirname "$log")"
: >"$log"
say() { echo "$*" | tee -a "$log"; }
budget=${CHECK_BUDGET_S:-345}  # seconds for the whole script
failed=()                      # the names of the steps that exited non-zero
step() {  # step SECONDS NAME CMD...: run with a time limit, log the output and the exit status
  local limit=$1 name=$2 t0=$SECONDS left=$((budget - SECONDS))
  shift 2
  if ((left < 10)); then
    say "=== $name: skipped, the ${budget} s budget is spent"
    return 0
  fi
  limit=$((limit * slow))
  if ((limit > left)); then limit=$left; fi
  say "=== $name: $*"
  timeout "$limit" "$@" >>"$log" 2>&1
  local rc=$?
  say "=== $name: exit $rc ($((SECONDS - t0)) s)"
  ((rc == 0)) || failed+=("$name (exit $rc)")
  return 0
}

# Debian's libraries the binaries need and this machine lacks (cuda_prepare.sh packed them).
if [[ -f $dir/lib.tgz ]]; then
  libdir=$(mktemp -d)
  tar xzf "$dir/lib.tgz" -C "$libdir"
  export LD_LIBRARY_PATH=$libdir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi

# CUDA's own libraries: the binaries look in /usr/local/cuda/lib (where the dev machine has
# them); elsewhere, any folder under /usr/local, /opt or /usr/lib that holds them (the CUDA
# toolkit's lib64, or the nvidia-* Python wheels beside PyTorch).
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13; do
  [[ -e /usr/local/cuda/lib/$lib ]] || ldconfig -p 2>/dev/null | grep -q "$lib" && continue
  found=$(find /usr/local /opt /usr/lib -maxdepth 9 -name "$lib" 2>/dev/null | head -1)
  [[ -n $found ]] && export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$(dirname "$found")
done

metrics() {  # metrics NAME RUN_DIR: the run's metrics table into the log
  say "--- metrics ($1)"
  cat "$2/metrics.csv" >>"$log" 2>/dev/null || say "(no metrics.csv)"
}
on_both() {  # on_both SECONDS NAME OUT ARGS...: soma ARGS on cuda, then cpu, each into OUT-DEVICE
  local limit=$1 name=$2 out=$3 device
  shift 3
  for device in cuda cpu; do
    step "$limit" "$name-$device" "$dir/soma" "$@" --device "$device" --out "$out-$device"
    metrics "$name, $device" "$out-$device"
  done
}

say "cuda_check $(date -u +%FT%TZ) on $(hostname)"
say "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
for b in "$dir/soma_cuda_tests" "$dir/soma"; do  # a library it cannot find shows here first
  ldd "$b" 2>&1 | grep -E "not found" >>"$log" && say "=== $b: libraries missing (above)"
done
emulated=0 slow=1  # slow: each step's time limit is multiplied by it
# On the emulator every kernel runs on one core and its guard costs a syscall pair per launch:
# the cuda suite took 61 s alone and passed 150 s with a build running beside it.
[[ -f $dir/EMULATED ]] && emulated=1 slow=4 &&
  say "=== the host emulator's build: no GPU, no benchmarks, step limits x$slow"
((emulated)) ||
  step 20 nvidia-smi nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
step 150 cuda-tests "$dir/soma_cuda_tests" --duration=true
((emulated)) || step 120 bench-lif-layer "$dir/bench_lif_layer" --device cuda --quick
# The step-loop models' fused cell scans against their step loops on the GPU (T 100, B 32,
# H 512, 5 repeats: the loops queue some 280,000 launches in all, a few seconds).
((emulated)) || step 40 bench-neuron-models "$dir/bench_neuron_models" --device cuda
# The emulator runs every kernel on one core, and the conv models' dense im2col over all time
# steps with it: there the conv runs use fewer images (the mnist conv epoch of 1024 took 443 s,
# against 9 s on the CPU path). Its device-memory guard costs one mprotect pair per launch,
# which the tests above can afford and a task cannot (memory: 2.4 s without, 294 s with).
conv_images=(--limit_train 1024 --limit_test 256)
cifar_images=(--limit_train 256 --limit_test 64)
if ((emulated)); then
  conv_images=(--limit_train 128 --limit_test 64)
  cifar_images=(--limit_train 64 --limit_test 32)
  export SOMA_CUDA_EMU_GUARD=0
fi

# cifar10's full model (Norse's T 128, 64 channels, batch 32) on generated images: a batch's
# time against cuBLAS's for its GEMMs, fp32 and TF32 (the task took about 0.26 and 0.21 s per
# batch on an H200, the GEMMs by count some 90 ms in fp32: where the rest goes is the question).
((emulated)) || step 60 bench-cifar10-batch "$dir/bench_cifar10_epoch" --device cuda --seq_length 128 \
  --steps 5
((emulated)) || step 60 bench-cifar10-batch-tf32 "$dir/bench_cifar10_epoch" --device cuda \
  --seq_length 128 --steps 5 --tf32
if [[ -f $dir/mnist/train-images-idx3-ubyte ]]; then
  ((emulated)) || step 60 bench-mnist-epoch "$dir/bench_mnist_epoch" --device cuda --quick --data_dir "$dir/mnist" \
    --dataset mnist
  # The conv epoch's bar is Fashion-MNIST's (device_prepare.sh carries a subset of it).
  fashion=(--data_dir "$dir/mnist" --dataset mnist)
  [[ -d $dir/fashion-mnist ]] && fashion=(--data_dir "$dir/fashion-mnist")
  ((emulated)) || step 90 bench-mnist-epoch-conv "$dir/bench_mnist_epoch" --device cuda --quick --model conv \
    "${fashion[@]}"
  common=(mnist --model rec --quiet --seed 3 --seq_length 32 --batch_size 256 --epochs 2
    --limit_train 2048 --limit_test 512 --data_dir "$dir/mnist" --overwrite)
  out=$(mktemp -d)
  on_both 90 mnist-rec "$out/rec" "${common[@]}"
  # The conv model (ConvNet4): one short epoch on each device from the same seed (T 32: below
  # ~16 steps no spike reaches the read-out; the CPU run took 10 s for 256 images on 2 cores).
  conv=(mnist --model conv --quiet --seed 3 --seq_length 32 --batch_size 64 --epochs 1
    "${conv_images[@]}" --data_dir "$dir/mnist" --overwrite)
  on_both 60 mnist-conv "$out/conv" "${conv[@]}"
  # Checkpoints are device-independent: the GPU run's checkpoint resumes on the CPU for a third
  # epoch (and the CPU run's on the GPU).
  step 60 resume-cuda-on-cpu "$dir/soma" mnist --resume "$out/rec-cuda" --epochs 3 --device cpu --quiet
  step 60 resume-cpu-on-cuda "$dir/soma" mnist --resume "$out/rec-cpu" --epochs 3 --device cuda --quiet
  for device in cuda cpu; do
    metrics "after resuming the $device run on the other device" "$out/rec-$device"
  done
  rm -rf "$out"
else
  say "=== mnist-rec: skipped, no MNIST subset in $dir/mnist (scripts/cuda_prepare.sh makes it)"
fi
# cifar10 (the 4-conv network, label smoothing, read-out noise) on random images in CIFAR-10's
# binary format (cuda_prepare.sh writes them): one short epoch on each device, same seed.
if [[ -f $dir/cifar10/test_batch.bin ]]; then
  out=$(mktemp -d)
  cifar=(cifar10 --quiet --seed 3 --seq_length 24 --batch_size 16 --channels 8 --epochs 1
    "${cifar_images[@]}" --data_dir "$dir/cifar10" --overwrite)
  on_both 40 cifar10 "$out/cifar10" "${cifar[@]}"
  rm -rf "$out"
fi
if [[ -f $dir/speech/testing_list.txt ]]; then
  # 4 epochs of 6 steps (48 training clips, batch 8; augmentation draws on the host, so both
  # devices see the same batches): the two loss curves should follow each other.
  speech=(speech_commands --quiet --seed 3 --epochs 4 --batch_size 8 --learning_rate 1e-2
    --data_dir "$dir/speech" --overwrite)
  out=$(mktemp -d)
  for model in lif lsnn lstm; do
    on_both 40 "speech-$model" "$out/$model" "${speech[@]}" --model "$model"
  done
  step 40 speech-resume-cuda-on-cpu "$dir/soma" speech_commands --resume "$out/lsnn-cuda" \
    --epochs 5 --device cpu --quiet
  metrics "after resuming the lsnn cuda run on the cpu" "$out/lsnn-cuda"
  rm -rf "$out"
else
  say "=== speech: skipped, no tone set in $dir/speech (scripts/cuda_prepare.sh makes it)"
fi
# memory (10 LIF + 10 LSNN, softmax, binary cross-entropy; the task draws its own data): two
# short epochs on each device from the same seed, with the trainer's gradient accumulation and
# clipping on device gradients.
out=$(mktemp -d)
memory=(memory --quiet --seed 3 --samples 64 --batch_size 16 --epochs 2 --overwrite
  --accumulate_grad_batches 2 --clip_grad 1)
on_both 40 memory "$out/memory" "${memory[@]}"
rm -rf "$out"
say "cuda_check done in $SECONDS s; log: $log"
if ((${#failed[@]})); then
  say "cuda_check FAILED steps: ${failed[*]}"
  exit 1
fi
