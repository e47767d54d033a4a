// constant_current_pool_scan's kernels: one thread per 2 x 2 cell (forward) or window
// (backward); the arithmetic is constant_pool_body.hpp's, which the CPU suite runs against the
// CPU op (tests/core/test_cuda_conv_bodies.cpp).
#include "core/backend/cuda/constant_pool_body.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

void pool_scan_forward(const LeakyScanParams& p, const PoolScanShape& s, const PoolScanArrays& a) {
  launch_each(
      s.count * ((s.h + 1) / 2) * ((s.w + 1) / 2),
      [=] __device__(int64_t k) { pool_scan_forward_cell(p, s, a, k); }, "pooled scan forward");
}

void pool_scan_backward(const LeakyScanParams& p, const PoolScanShape& s, const PoolScanGrads& g) {
  launch_each(
      s.count * (s.h / 2) * (s.w / 2),
      [=] __device__(int64_t k) { pool_scan_backward_window(p, s, g, k); }, "pooled scan backward");
}

}  // namespace soma::cuda
