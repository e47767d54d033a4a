// The unary element-wise kernels, forward and backward: unary_body.hpp's arithmetic, one
// launch_each per op.
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/unary_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

void unary(UnaryOp op, UnaryArgs p, const float* x, int64_t n, float* y) {
  launch_each(
      n, [=] __device__(int64_t k) { y[k] = unary_value(op, p, x[k]); }, "unary");
}

void unary_backward(UnaryOp op, UnaryArgs p, const float* x, const float* y, const float* g,
                    int64_t n, float* gx) {
  launch_each(
      n,
      [=] __device__(int64_t k) { gx[k] = g[k] * unary_derivative(op, p, x[k], y ? y[k] : 0.0f); },
      "unary backward");
}

}  // namespace soma::cuda
