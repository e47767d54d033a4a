#pragma once
// What the GPU tests share: leaves on the device, and one training step of a CPU model and its
// GPU copy, compared.
#include <doctest/doctest.h>

#include <cstddef>

#include "core/optim/optimizer.hpp"
#include "core/tensor/tensor.hpp"
#include "scale_close.hpp"

namespace soma::test {

// A leaf on cuda holding t's values.
inline Tensor cuda_leaf(const Tensor& t) {
  return t.detach().cuda().requires_grad_();
}

struct StepCheck {
  float tol = 1e-3f;          // each gradient against its scale
  bool sync_weights = false;  // then give the GPU model the CPU's weights
};

// Backpropagates the CPU loss and the GPU loss of the same step, compares each parameter's
// gradient (ps on the cpu, dps their copies on cuda) and steps both optimisers. With
// sync_weights the GPU model then takes the CPU's weights, so that a spike flipped at
// threshold by rounding (cuBLAS and the CPU sum in other orders), or the sign Adam gives a
// gradient near 0, does not carry into the next step's comparison.
inline void backward_compare_step(const Tensor& loss, const Tensor& dloss, optim::Optimizer& opt,
                                  optim::Optimizer& dopt, const Tensors& ps, const Tensors& dps,
                                  StepCheck c) {
  opt.zero_grad();
  dopt.zero_grad();
  loss.backward();
  dloss.backward();
  for (size_t k = 0; k < ps.size(); ++k) {
    CAPTURE(k);
    check_close_to_scale(ps[k].grad(), dps[k].grad(), c.tol);
  }
  opt.step();
  dopt.step();
  if (!c.sync_weights) return;
  for (size_t k = 0; k < ps.size(); ++k) {
    Tensor d = dps[k];
    d.copy_(ps[k]);
  }
}

}  // namespace soma::test
