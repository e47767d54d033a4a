// The recurrent LIF layer's step kernels: one launch per step forward and one backward, each
// fusing the recurrent product with the neuron update (recurrent_body.hpp).
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/recurrent_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void forward_kernel(LeakyScanParams p, RecurrentStep s) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < p.width) recurrent_forward_neuron(p, s, k);
}

__global__ void backward_kernel(LeakyScanParams p, RecurrentStepGrads g) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < p.width) recurrent_backward_neuron(p, g, k);
}

unsigned neuron_blocks(int64_t width) {
  return unsigned((width + kThreads - 1) / kThreads);
}

}  // namespace

void recurrent_step_forward(const LeakyScanParams& p, const RecurrentStep& s) {
  if (p.width == 0) return;
  SOMA_LAUNCH(forward_kernel, neuron_blocks(p.width), kThreads)(p, s);
  launched("recurrent step forward launch");
}

void recurrent_step_backward(const LeakyScanParams& p, const RecurrentStepGrads& g) {
  if (p.width == 0) return;
  SOMA_LAUNCH(backward_kernel, neuron_blocks(p.width), kThreads)(p, g);
  launched("recurrent step backward launch");
}

}  // namespace soma::cuda
