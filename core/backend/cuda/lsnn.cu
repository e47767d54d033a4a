// The recurrent LSNN layer's step kernels: one launch per step forward and one backward, each
// fusing the recurrent product with the neuron update (lsnn_body.hpp).
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/lsnn_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

void lsnn_step_forward(const LsnnParams& p, const LsnnStep& s) {
  launch_each(
      p.width, [=] __device__(int64_t k) { lsnn_forward_neuron(p, s, k); }, "lsnn step forward");
}

void lsnn_step_backward(const LsnnParams& p, const LsnnStepGrads& g) {
  launch_each(
      p.width, [=] __device__(int64_t k) { lsnn_backward_neuron(p, g, k); }, "lsnn step backward");
}

}  // namespace soma::cuda
