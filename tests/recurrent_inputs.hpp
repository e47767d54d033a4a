#pragma once
// Random inputs of a recurrent LIF sequence for the kernel-body tests: input currents in
// [0, x_hi), recurrent weights in [-0.3, 0.3), initial spikes (about 30% ones), voltages and
// currents, each a leaf that requires its gradient. Drawn from rng in this order.
#include "core/random/rng.hpp"
#include "core/tensor/tensor.hpp"
#include "recurrent_weight_grads.hpp"
#include "scale_close.hpp"

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

// The gradients of those inputs after backward() against a host emulation of the GPU's reverse
// scan: dL/dx = gcur (T, B, H), the weights' and z0's from the GEMMs after the scan
// (recurrent_weight_grads.hpp, with the emulation's spikes z), the initial v's and i's; each to
// tol of its scale.
inline void check_recurrent_grads(const RecurrentInputs& in, const std::vector<float>& gcur,
                                  const std::vector<float>& z, const std::vector<float>& gv,
                                  const std::vector<float>& gi, float tol) {
  const int64_t T = in.x.size(0), B = in.x.size(1), H = in.x.size(2);
  std::vector<float> gw, gz0;
  recurrent_weight_grads(T, B, H, gcur, z, in.z0.to_vector(), in.w.to_vector(), gw, gz0);
  check_close_to_scale(in.x.grad().to_vector(), gcur, tol);
  check_close_to_scale(in.w.grad().to_vector(), gw, tol);
  check_close_to_scale(in.z0.grad().to_vector(), gz0, tol);
  check_close_to_scale(in.v0.grad().to_vector(), gv, tol);
  check_close_to_scale(in.i0.grad().to_vector(), gi, tol);
}

}  // namespace soma::test
