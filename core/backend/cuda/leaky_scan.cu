// The fused time scan of the current-based leaky models on the GPU: one thread per neuron keeps
// (v, i) in registers and walks the T steps; neighbouring threads read neighbouring neurons of
// a step, so every load and store of a step is coalesced. The per-neuron recurrence and adjoint
// live in leaky_scan_body.hpp, which the CPU suite also runs against current_scan.cpp.
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/leaky_scan_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void forward_kernel(LeakyScanParams p, LeakyScanArrays a, int64_t x_step) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < p.width) leaky_forward_neuron(p, a, k, x_step);
}

__global__ void backward_kernel(LeakyScanParams p, LeakyScanGrads g) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < p.width) leaky_backward_neuron(p, g, k);
}

unsigned neuron_blocks(int64_t width) {
  return unsigned((width + kThreads - 1) / kThreads);
}

}  // namespace

void leaky_scan_forward(const LeakyScanParams& p, const LeakyScanArrays& a) {
  if (p.width == 0) return;
  SOMA_LAUNCH(forward_kernel, neuron_blocks(p.width), kThreads)(p, a, p.width);
  launched("leaky scan forward launch");
}

void leaky_scan_constant_forward(const LeakyScanParams& p, const LeakyScanArrays& a) {
  if (p.width == 0) return;
  SOMA_LAUNCH(forward_kernel, neuron_blocks(p.width), kThreads)(p, a, 0);
  launched("leaky constant-input scan launch");
}

void leaky_scan_backward(const LeakyScanParams& p, const LeakyScanGrads& g) {
  if (p.width == 0) return;
  SOMA_LAUNCH(backward_kernel, neuron_blocks(p.width), kThreads)(p, g);
  launched("leaky scan backward launch");
}

}  // namespace soma::cuda
