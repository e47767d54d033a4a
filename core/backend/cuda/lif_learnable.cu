// The learnable recurrent LIF layer's step kernels: one launch per step forward and one backward,
// each fusing the recurrent product with the neuron update and its own constants
// (lif_learnable_body.hpp), as recurrent.cu does for the fixed layer.
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/lif_learnable_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void forward_kernel(LearnableLifParams p, LearnableRecurrentStep s) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < p.width) learnable_forward_neuron(p, s, k);
}

__global__ void backward_kernel(LearnableLifParams p, LearnableRecurrentGrads g) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < p.width) learnable_backward_neuron(p, g, k);
}

unsigned neuron_blocks(int64_t width) {
  return unsigned((width + kThreads - 1) / kThreads);
}

}  // namespace

void learnable_step_forward(const LearnableLifParams& p, const LearnableRecurrentStep& s) {
  if (p.width == 0) return;
  SOMA_LAUNCH(forward_kernel, neuron_blocks(p.width), kThreads)(p, s);
  launched("learnable LIF step forward launch");
}

void learnable_step_backward(const LearnableLifParams& p, const LearnableRecurrentGrads& g) {
  if (p.width == 0) return;
  SOMA_LAUNCH(backward_kernel, neuron_blocks(p.width), kThreads)(p, g);
  launched("learnable LIF step backward launch");
}

}  // namespace soma::cuda
