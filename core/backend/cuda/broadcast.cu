// Broadcasting binary ops and the reduction of their gradients: one thread per output element
// in a grid-stride loop (bodies in broadcast_body.hpp).
#include "core/backend/cuda/broadcast_body.hpp"
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

namespace {

__global__ void broadcast_kernel(BinaryOp op, BroadcastPlan p, const float* a, const float* b,
                                 float* out) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < p.numel;
       k += int64_t(gridDim.x) * blockDim.x)
    broadcast_element(op, p, a, b, out, k);
}

__global__ void sum_to_kernel(SumToPlan p, const float* g, float* out) {
  for (int64_t o = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; o < p.out_numel;
       o += int64_t(gridDim.x) * blockDim.x)
    sum_to_element(p, g, out, o);
}

}  // namespace

void binary_broadcast(BinaryOp op, const BroadcastPlan& p, const float* a, const float* b,
                      float* out) {
  if (p.numel == 0) return;
  broadcast_kernel<<<blocks_for(p.numel), kThreads, 0, stream()>>>(op, p, a, b, out);
  check(cudaGetLastError(), "broadcast_kernel launch");
}

void sum_to(const SumToPlan& p, const float* g, float* out) {
  if (p.out_numel == 0) return;
  sum_to_kernel<<<blocks_for(p.out_numel), kThreads, 0, stream()>>>(p, g, out);
  check(cudaGetLastError(), "sum_to_kernel launch");
}

}  // namespace soma::cuda
