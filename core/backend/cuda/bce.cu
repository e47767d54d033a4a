// Binary cross-entropy's element-wise kernels, forward and backward (bce_body.hpp).
#include "core/backend/cuda/bce_body.hpp"
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void bce_forward_kernel(const float* p, const float* y, int64_t n, float* per) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    bce_forward_element(p, y, per, i);
}

__global__ void bce_backward_kernel(BceGrad b, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    bce_backward_element(b, i);
}

}  // namespace

void bce_forward(const float* p, const float* y, int64_t n, float* per) {
  if (n == 0) return;
  bce_forward_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(p, y, n, per);
  check(cudaGetLastError(), "binary_cross_entropy launch");
}

void bce_backward(const BceGrad& b, int64_t n) {
  if (n == 0) return;
  bce_backward_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(b, n);
  check(cudaGetLastError(), "binary_cross_entropy backward launch");
}

}  // namespace soma::cuda
