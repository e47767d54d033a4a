#pragma once
// Random inputs of a recurrent LIF sequence for the kernel-body tests: input currents in
// [0, x_hi), recurrent weights in [-0.3, 0.3), initial spikes (about 30% ones), voltages and
// currents, each a leaf that requires its gradient. Drawn from rng in this order.
#include "core/random/rng.hpp"
#include "core/tensor/tensor.hpp"

namespace soma::test {

struct RecurrentInputs {
  Tensor x, w, z0, v0, i0;
};

inline RecurrentInputs random_recurrent_inputs(int64_t T, int64_t B, int64_t H, Rng& rng,
                                               float x_hi) {
  RecurrentInputs in;
  in.x = Tensor::rand({T, B, H}, rng, 0.0f, x_hi).requires_grad_();
  in.w = Tensor::rand({H, H}, rng, -0.3f, 0.3f).requires_grad_();
  std::vector<float> spikes0 = Tensor::rand({B, H}, rng, 0.0f, 1.0f).to_vector();
  for (float& q : spikes0) q = q > 0.7f ? 1.0f : 0.0f;
  in.z0 = Tensor::from({B, H}, spikes0).requires_grad_();
  in.v0 = Tensor::rand({B, H}, rng, 0.0f, 0.5f).requires_grad_();
  in.i0 = Tensor::rand({B, H}, rng, 0.0f, 1.0f).requires_grad_();
  return in;
}

}  // namespace soma::test
