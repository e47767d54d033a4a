#pragma once
// Refractory AdEx (Norse's LIFAdExRefrac): the AdEx step of lif_adex.hpp gated by the refractory
// counter of refractory.hpp. While rho > 0 the voltage is held and spikes are masked; i and a
// evolve freely. Unlike Norse, which adds the spike adaptation for the unmasked spike, a jumps
// only for spikes that are emitted (the masked z), so a dead step adds no adaptation.
// Defaults: rho_reset 5 plus the AdEx ones. Initial state: v = v_leak, i = a = rho = 0.
#include <array>

#include "core/neuron/lif_adex.hpp"

namespace soma {

struct LIFAdExRefracParameters {
  LIFAdExParameters adex{};
  float rho_reset = 5.0f;
};

struct LIFAdExRefracState {
  LIFAdExState adex;
  Tensor rho;
  static constexpr std::array<const char*, 4> names{"v", "i", "a", "rho"};
  std::array<Tensor*, 4> fields() { return {&adex.v, &adex.i, &adex.a, &rho}; }
};

LIFAdExRefracState lif_adex_refrac_initial_state(const Shape& shape,
                                                 const LIFAdExRefracParameters& p);

struct LIFAdExRefracStep {
  Tensor z;
  LIFAdExRefracState state;
};

LIFAdExRefracStep lif_adex_refrac_step(const Tensor& x, const LIFAdExRefracState& s,
                                       const LIFAdExRefracParameters& p);

struct LIFAdExRefracModel {
  using Parameters = LIFAdExRefracParameters;
  using State = LIFAdExRefracState;
  static constexpr auto initial_state = &lif_adex_refrac_initial_state;
  static constexpr auto step = &lif_adex_refrac_step;
  // All T steps as one fused scan (cell_sequence.hpp); equals the loop over `step`.
  static Sequence<LIFAdExRefracState> sequence(const Tensor& x, const LIFAdExRefracState& s0,
                                               const LIFAdExRefracParameters& p,
                                               bool record_states);
};

inline constexpr ModelSequence<LIFAdExRefracModel> lif_adex_refrac_sequence{};

namespace nn {
using LIFAdExRefrac = NeuronLayer<LIFAdExRefracModel>;  // recorded(): "v", "i", "a", "rho"
}

}  // namespace soma
