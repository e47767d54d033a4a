// Binary cross-entropy's element-wise kernels, forward and backward (bce_body.hpp).
#include "core/backend/cuda/bce_body.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

void bce_forward(const float* p, const float* y, int64_t n, float* per) {
  launch_each(
      n, [=] __device__(int64_t i) { bce_forward_element(p, y, per, i); }, "binary_cross_entropy");
}

void bce_backward(const BceGrad& b, int64_t n) {
  launch_each(
      n, [=] __device__(int64_t i) { bce_backward_element(b, i); },
      "binary_cross_entropy backward");
}

}  // namespace soma::cuda
