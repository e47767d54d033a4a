// constant_current_pool_scan's kernels: one thread per 2 x 2 cell (forward) or window
// (backward); the arithmetic is constant_pool_body.hpp's, which the CPU suite runs against the
// CPU op (tests/core/test_cuda_bodies.cpp).
#include "core/backend/cuda/constant_pool_body.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void forward_kernel(LeakyScanParams p, PoolScanShape s, PoolScanArrays a, int64_t n) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < n) pool_scan_forward_cell(p, s, a, k);
}

__global__ void backward_kernel(LeakyScanParams p, PoolScanShape s, PoolScanGrads g, int64_t n) {
  const int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (k < n) pool_scan_backward_window(p, s, g, k);
}

unsigned thread_blocks(int64_t n) {
  return unsigned((n + kThreads - 1) / kThreads);
}

}  // namespace

void pool_scan_forward(const LeakyScanParams& p, const PoolScanShape& s, const PoolScanArrays& a) {
  const int64_t cells = s.count * ((s.h + 1) / 2) * ((s.w + 1) / 2);
  if (cells == 0) return;
  SOMA_LAUNCH(forward_kernel, thread_blocks(cells), kThreads)(p, s, a, cells);
  launched("pooled scan forward launch");
}

void pool_scan_backward(const LeakyScanParams& p, const PoolScanShape& s, const PoolScanGrads& g) {
  const int64_t windows = s.count * (s.h / 2) * (s.w / 2);
  if (windows == 0) return;
  SOMA_LAUNCH(backward_kernel, thread_blocks(windows), kThreads)(p, s, g, windows);
  launched("pooled scan backward launch");
}

}  // namespace soma::cuda
