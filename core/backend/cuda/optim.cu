// Adam and SGD steps on device parameters: one grid-stride pass over the elements, each thread
// updating parameter, moments and buffer in place (bodies in optim_body.hpp, which the CPU suite
// compares with core/optim).
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/optim_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void adam_kernel(AdamStep s, int64_t n, float* p, const float* g, float* m, float* v) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x)
    adam_element(s, p, g, m, v, k);
}

__global__ void sgd_kernel(SgdStep s, int64_t n, float* p, const float* g, float* buf) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x)
    sgd_element(s, p, g, buf, k);
}

}  // namespace

void adam_step(const AdamStep& s, int64_t n, float* p, const float* g, float* m, float* v) {
  if (n == 0) return;
  SOMA_LAUNCH(adam_kernel, blocks_for(n), kThreads)(s, n, p, g, m, v);
  launched("adam_kernel launch");
}

void sgd_step(const SgdStep& s, int64_t n, float* p, const float* g, float* buf) {
  if (n == 0) return;
  SOMA_LAUNCH(sgd_kernel, blocks_for(n), kThreads)(s, n, p, g, buf);
  launched("sgd_kernel launch");
}

}  // namespace soma::cuda
