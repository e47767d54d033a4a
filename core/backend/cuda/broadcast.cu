// Broadcasting binary ops and the reduction of their gradients: one thread per output element
// (launch_each; bodies in broadcast_body.hpp).
#include "core/backend/cuda/broadcast_body.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

void binary_broadcast(BinaryOp op, const BroadcastPlan& p, const float* a, const float* b,
                      float* out) {
  launch_each(
      p.numel, [=] __device__(int64_t k) { broadcast_element(op, p, a, b, out, k); }, "broadcast");
}

void sum_to(const SumToPlan& p, const float* g, float* out) {
  launch_each(
      p.out_numel, [=] __device__(int64_t o) { sum_to_element(p, g, out, o); }, "sum_to");
}

}  // namespace soma::cuda
