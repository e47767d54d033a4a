#pragma once
// Launch geometry shared by the kernels: 256 threads per block, and a grid-stride
// loop so any n fits the grid limit. launch_each runs a body (a __device__ lambda, usually one
// call of a *_body.hpp function) for every index below n.
#include <cstdint>

#include "core/backend/cuda/device_context.hpp"

namespace soma::cuda {

constexpr int kThreads = 256;

// SOMA_LAUNCH(kernel, grid, block)(args...) launches kernel on the backend's stream. In the
// cuda-emu preset (SOMA_CUDA_EMULATE) the same line runs the grid as a loop on the host
// (core/backend/cuda_emu/include/cuda_runtime.h).
#ifdef SOMA_CUDA_EMULATE
#define SOMA_LAUNCH(kernel, grid, block) SOMA_EMU_LAUNCH(kernel, grid, block)
#else
#define SOMA_LAUNCH(kernel, grid, block) kernel<<<grid, block, 0, ::soma::cuda::stream()>>>
#endif

inline unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  const int64_t most = int64_t(1) << 20;  // enough blocks to fill any GPU; the loop does the rest
  return unsigned(b < 1 ? 1 : (b < most ? b : most));
}

template <class F>
__global__ void each_index_kernel(int64_t n, F body) {
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < n;
       e += int64_t(gridDim.x) * blockDim.x)
    body(e);
}

// body(e) for e in [0, n) on the backend's stream; `what` names the kernel in a launch error.
template <class F>
void launch_each(int64_t n, F body, const char* what) {
  if (n <= 0) return;
  SOMA_LAUNCH(each_index_kernel<F>, blocks_for(n), kThreads)(n, body);
  launched(what);
}

}  // namespace soma::cuda
