#pragma once
// Refractory LIF (Norse's LIFRefrac): the LIF step of lif.hpp gated by the refractory counter of
// refractory.hpp. While rho > 0 the voltage is held and spikes are masked; i evolves freely.
// Defaults: rho_reset 5 (5 dead steps after each spike) plus the LIF ones.
// Initial state: v = v_leak, i = 0, rho = 0.
#include <array>

#include "core/neuron/lif.hpp"
#include "core/neuron/rollout.hpp"

namespace soma {

struct LIFRefracParameters {
  LIFParameters lif{};
  float rho_reset = 5.0f;
};

struct LIFRefracState {
  LIFState lif;
  Tensor rho;
  static constexpr std::array<const char*, 3> names{"v", "i", "rho"};
  std::array<Tensor*, 3> fields() { return {&lif.v, &lif.i, &rho}; }
};

LIFRefracState lif_refrac_initial_state(const Shape& shape, const LIFRefracParameters& p);

struct LIFRefracStep {
  Tensor z;
  LIFRefracState state;
};

LIFRefracStep lif_refrac_step(const Tensor& x, const LIFRefracState& s,
                              const LIFRefracParameters& p);

struct LIFRefracModel {
  using Parameters = LIFRefracParameters;
  using State = LIFRefracState;
  static constexpr auto initial_state = &lif_refrac_initial_state;
  static constexpr auto step = &lif_refrac_step;
  // All T steps as one fused scan (cell_sequence.hpp); equals the loop over `step`.
  static Sequence<LIFRefracState> sequence(const Tensor& x, const LIFRefracState& s0,
                                           const LIFRefracParameters& p, bool record_states);
};

inline constexpr ModelSequence<LIFRefracModel> lif_refrac_sequence{};

namespace nn {
using LIFRefrac = NeuronLayer<LIFRefracModel>;  // recorded(): "v", "i", "rho"
}

}  // namespace soma
