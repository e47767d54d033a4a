// The recurrent LSNN layer's step kernels: one launch per step forward and one backward, each
// fusing the recurrent product with the neuron update (lsnn_body.hpp).
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/lsnn_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void lsnn_forward_kernel(LsnnParams p, LsnnStep s) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < p.width) lsnn_forward_neuron(p, s, k);
}

__global__ void lsnn_backward_kernel(LsnnParams p, LsnnStepGrads g) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < p.width) lsnn_backward_neuron(p, g, k);
}

unsigned lsnn_blocks(int64_t width) {
  return unsigned((width + kThreads - 1) / kThreads);
}

}  // namespace

void lsnn_step_forward(const LsnnParams& p, const LsnnStep& s) {
  if (p.width == 0) return;
  lsnn_forward_kernel<<<lsnn_blocks(p.width), kThreads, 0, stream()>>>(p, s);
  check(cudaGetLastError(), "lsnn step forward launch");
}

void lsnn_step_backward(const LsnnParams& p, const LsnnStepGrads& g) {
  if (p.width == 0) return;
  lsnn_backward_kernel<<<lsnn_blocks(p.width), kThreads, 0, stream()>>>(p, g);
  check(cudaGetLastError(), "lsnn step backward launch");
}

}  // namespace soma::cuda
