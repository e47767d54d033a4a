#pragma once
// Norse's Lift: a module written for one time step, (N, ...), applied to every step of a
// time-first sequence (T, B, ...) -> (T, B, ...'), so that per-step layers (Conv2d, pooling,
// Linear, Flatten, dropout) sit in a Sequential between neuron layers, which take the whole
// sequence:
//   Sequential(Lift(Conv2d), LIF, Lift(MaxPool2d), Lift(Flatten), SpikingLinear ...)
// Two ways, the same values for a module without batch statistics:
//   fold (default): the T steps ride in the batch, (T * B, ...) in ONE call: one convolution
//     over T * B images instead of T calls over B.
//   per step (fold = false): T calls on select(x, t), stacked, as Norse's loop. Use it for batch
//     norm in training, whose statistics are then per step as in Norse (folded, they pool the T
//     steps), and for a module that keeps state between calls.
// Neuron layers are not lifted: they carry their state over the steps themselves.
#include <memory>

#include "core/nn/module.hpp"

namespace soma::nn {

class Lift : public Module {
 public:
  explicit Lift(std::shared_ptr<Module> module, bool fold = true);
  Tensor forward(const Tensor& x) override;

  std::shared_ptr<Module> module;
  bool fold;
};

// Lift over a module built in place: lift<Conv2d>(1, 20, 5, rng).
template <class M, class... Args>
std::shared_ptr<Lift> lift(Args&&... args) {
  return std::make_shared<Lift>(std::make_shared<M>(std::forward<Args>(args)...));
}

}  // namespace soma::nn
