#pragma once
// How a neuron spikes and resets, as plain types without tensors: the per-ISA kernels
// (core/backend/cpu/kernels_isa.inl) include this and must not see Eigen through tensor.hpp.
// surrogate.hpp documents the surrogate methods; lif.hpp the reset.

namespace soma {

enum class Reset { value, subtract };

enum class SurrogateMethod { super, heaviside, triangle, tanh, circ, heavi_erfc, logistic };

// SuperSpike's derivative, inline so the scans' backward loops can vectorise it.
inline float superspike_grad(float x, float alpha) {
  const float d = alpha * (x < 0 ? -x : x) + 1.0f;
  return 1.0f / (d * d);
}

struct Surrogate {
  SurrogateMethod method = SurrogateMethod::super;
  float alpha = 100.0f;
  float grad(float x) const;  // surrogate.cpp
};

}  // namespace soma
