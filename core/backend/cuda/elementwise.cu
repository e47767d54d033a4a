// Element-wise kernels: binary ops on equal-length arrays or with a scalar, and fill. The
// arithmetic is elementwise_body.hpp's; this file holds the grid-stride loops and launches.
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/elementwise_body.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/cuda_runtime.hpp"

namespace soma::cuda {

namespace {

__global__ void binary_kernel(BinaryOp op, const float* a, const float* b, int64_t n, float* out) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x)
    out[k] = apply_binary(op, a[k], b[k]);
}

__global__ void scalar_kernel(BinaryOp op, const float* a, float b, int64_t n, float* out) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x)
    out[k] = apply_binary(op, a[k], b);
}

__global__ void fill_kernel(float* p, int64_t n, float value) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x)
    p[k] = value;
}

}  // namespace

void binary(BinaryOp op, const float* a, const float* b, int64_t n, float* out) {
  if (n == 0) return;
  SOMA_LAUNCH(binary_kernel, blocks_for(n), kThreads)(op, a, b, n, out);
  launched("binary_kernel launch");
}

void binary_scalar(BinaryOp op, const float* a, float b, int64_t n, float* out) {
  if (n == 0) return;
  SOMA_LAUNCH(scalar_kernel, blocks_for(n), kThreads)(op, a, b, n, out);
  launched("scalar_kernel launch");
}

void fill(float* p, int64_t n, float value) {
  if (n == 0) return;
  SOMA_LAUNCH(fill_kernel, blocks_for(n), kThreads)(p, n, value);
  launched("fill_kernel launch");
}

void tile(const float* x, int64_t n, int64_t copies, float* out) {
  launch_each(
      n * copies, [=] __device__(int64_t e) { out[e] = x[e % n]; }, "tile");
}

}  // namespace soma::cuda
