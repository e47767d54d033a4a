// The unary element-wise kernels, forward and backward: unary_body.hpp's arithmetic in a
// grid-stride loop, one launch per op.
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/unary_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void unary_kernel(UnaryOp op, UnaryArgs p, const float* x, int64_t n, float* y) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x)
    y[k] = unary_value(op, p, x[k]);
}

__global__ void unary_backward_kernel(UnaryOp op, UnaryArgs p, const float* x, const float* y,
                                      const float* g, int64_t n, float* gx) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x)
    gx[k] = g[k] * unary_derivative(op, p, x[k], y ? y[k] : 0.0f);
}

}  // namespace

void unary(UnaryOp op, UnaryArgs p, const float* x, int64_t n, float* y) {
  if (n == 0) return;
  unary_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(op, p, x, n, y);
  check(cudaGetLastError(), "unary_kernel launch");
}

void unary_backward(UnaryOp op, UnaryArgs p, const float* x, const float* y, const float* g,
                    int64_t n, float* gx) {
  if (n == 0) return;
  unary_backward_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(op, p, x, y, g, n, gx);
  check(cudaGetLastError(), "unary_backward_kernel launch");
}

}  // namespace soma::cuda
