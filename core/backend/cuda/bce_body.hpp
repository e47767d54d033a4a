#pragma once
// Binary cross-entropy per element (bce.cu), as core/ops/loss.cpp computes it on the CPU
// (torch's rules): with p the probability and y the target,
//   loss = -(y max(ln p, -100) + (1 - y) max(ln(1 - p), -100))
//   dL/dp = (p - y) / max(p (1 - p), 1e-12),  dL/dy = max(ln(1 - p), -100) - max(ln p, -100)
// The upstream gradient of element i is g[i] (no reduction) or scale g[0] (a sum or mean).
// The GPU does not stop to check that p is in [0, 1]: outside it the loss is NaN.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

SOMA_HD inline float bce_log_p(float p) {
  return fmaxf(logf(p), -100.0f);
}

SOMA_HD inline float bce_log_q(float p) {
  return fmaxf(log1pf(-p), -100.0f);
}

SOMA_HD inline void bce_forward_element(const float* p, const float* y, float* per, int64_t i) {
  per[i] = -(y[i] * bce_log_p(p[i]) + (1 - y[i]) * bce_log_q(p[i]));
}

SOMA_HD inline void bce_backward_element(const BceGrad& b, int64_t i) {
  const float u = b.each ? b.g[i] : b.g[0] * b.scale, p = b.p[i];
  b.gx[i] = u * (p - b.y[i]) / fmaxf(p * (1 - p), 1e-12f);
  if (b.gt) b.gt[i] = u * (bce_log_q(p) - bce_log_p(p));
}

}  // namespace soma::cuda
