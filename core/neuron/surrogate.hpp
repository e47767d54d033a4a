#pragma once
// Surrogate gradients. The forward pass of a spike is always the Heaviside step H(x) = [x > 0]
// with x = v - v_th; the method picks the derivative used in the backward pass.
//
//   super       1 / (alpha |x| + 1)^2            SuperSpike. alpha is honoured (Norse before
//                                                PR #403 ignored it and used alpha = 1).
//   heaviside   0                                no gradient
//   triangle    alpha * max(0, 1 - |x|)          Norse passes alpha = 100 through threshold()
//   tanh        1 - tanh^2(alpha x)              no alpha prefactor, as Norse
//   circ        alpha^3 / (x^2 + alpha^2)^(3/2)
//   heavi_erfc  (2 / sqrt(pi)) exp(-(alpha x)^2) no alpha prefactor, as Norse
//   logistic    alpha s (1 - s), s = sigmoid(alpha x)
//                                                Norse's logistic_fn samples a Bernoulli in its
//                                                forward pass and threshold() rejects it; here it
//                                                is a deterministic step like the others.
#include <string>

#include "core/neuron/spike_rule.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

// Parses a --method name; an unknown name throws std::invalid_argument listing the valid ones.
SurrogateMethod parse_surrogate(const std::string& name);
const char* surrogate_name(SurrogateMethod m);
const std::vector<std::string>& surrogate_names();

// z = H(x), differentiable through the surrogate.
Tensor spike_fn(const Tensor& x, Surrogate s);

}  // namespace soma
