#!/usr/bin/env bash
# Regenerates assets/mnist_demo/rec64.safetensors, the weights of the web page's drawing demo
# (tasks/mnist/digits_task.hpp): trains the recurrent MNIST network natively (about a minute on
# two cores), then keeps only its model tensors.
set -euo pipefail
cd "$(dirname "$0")/.."
build/soma mnist --dataset mnist-10k --model rec --hidden 64 --seq_length 20 --epochs 6 --learning_rate 0.003 \
  --out runs/mnist-demo
mkdir -p assets/mnist_demo
node scripts/strip_checkpoint.mjs runs/mnist-demo/checkpoint.safetensors \
  assets/mnist_demo/rec64.safetensors
