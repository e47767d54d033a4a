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

#include "core/tensor/tensor.hpp"

namespace soma {

enum class SurrogateMethod { super, heaviside, triangle, tanh, circ, heavi_erfc, logistic };

// SuperSpike's derivative, inline so the scans' backward loops can vectorise it.
inline float superspike_grad(float x, float alpha) {
  const float d = alpha * (x < 0 ? -x : x) + 1.0f;
  return 1.0f / (d * d);
}

struct Surrogate {
  SurrogateMethod method = SurrogateMethod::super;
  float alpha = 100.0f;
  float grad(float x) const;
};

// Parses a --method name; an unknown name throws std::invalid_argument listing the valid ones.
SurrogateMethod parse_surrogate(const std::string& name);
const char* surrogate_name(SurrogateMethod m);
const std::vector<std::string>& surrogate_names();

// z = H(x), differentiable through the surrogate.
Tensor spike_fn(const Tensor& x, Surrogate s);

}  // namespace soma
