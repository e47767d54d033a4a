// The Poisson encoder on the GPU: one thread per Philox block of four elements (body in
// encode_body.hpp; the CPU suite checks the generator's known answers and the spike rates).
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/encode_body.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void poisson_kernel(PoissonDraw d, const float* x, float* out, int64_t blocks) {
  for (int64_t b = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; b < blocks;
       b += int64_t(gridDim.x) * blockDim.x)
    poisson_block(d, x, out, b);
}

}  // namespace

void poisson_encode(const PoissonDraw& d, const float* x, float* out) {
  if (d.total == 0) return;
  const int64_t blocks = (d.total + 3) / 4;
  SOMA_LAUNCH(poisson_kernel, blocks_for(blocks), kThreads)(d, x, out, blocks);
  launched("poisson_kernel launch");
}

}  // namespace soma::cuda
