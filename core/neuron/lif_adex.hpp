#pragma once
// Adaptive exponential LIF (Norse's LIFAdEx): LIF-Ex (lif_ex.hpp) with an adaptation current a.
//   j  = i + x
//   v~ = v + dt tau_mem_inv (v_leak - v + j + Delta_T exp((v - v_th) / Delta_T) - a)
//   i' = j (1 - dt tau_syn_inv)
//   a~ = a + dt tau_ada_inv (adaptation_current (v - v_leak) - a)       (old v)
//   z  = H(v~ - v_th),   v' = (1 - z) v~ + z v_reset,   a' = a~ + adaptation_spike z
//   (v' = v~ - z v_th with Reset::subtract)
// Defaults: adaptation_current 4, adaptation_spike 0.02, tau_ada_inv 2 /s, plus the LIF-Ex ones
// (Delta_T 0.5 and the LIF's: dt 1e-3 s, tau_syn_inv 200 /s, tau_mem_inv 100 /s, v_leak 0,
// v_th 1, v_reset 0, SuperSpike alpha 100). Initial state: v = v_leak, i = 0, a = 0.
//
// The step is split into integrate (the sub-threshold Euler update) and fire (reset and spike
// adaptation) so the refractory AdEx can mask z in between.
#include <array>

#include "core/neuron/lif_ex.hpp"

namespace soma {

struct LIFAdExParameters : LIFExParameters {
  float adaptation_current = 4.0f;
  float adaptation_spike = 0.02f;
  float tau_ada_inv = 2.0f;
};

struct LIFAdExState {
  Tensor v, i, a;
  static constexpr std::array<const char*, 3> names{"v", "i", "a"};
  std::array<Tensor*, 3> fields() { return {&v, &i, &a}; }
};

LIFAdExState lif_adex_initial_state(const Shape& shape, const LIFAdExParameters& p);

// (v~, i', a~): the state before threshold and reset.
LIFAdExState lif_adex_integrate(const Tensor& x, const LIFAdExState& s, const LIFAdExParameters& p);
// Resets v~ and adds the spike adaptation for spikes z.
LIFAdExState lif_adex_fire(const LIFAdExState& pre, const Tensor& z, const LIFAdExParameters& p);

struct LIFAdExStep {
  Tensor z;
  LIFAdExState state;
};

LIFAdExStep lif_adex_step(const Tensor& x, const LIFAdExState& s, const LIFAdExParameters& p);

struct LIFAdExModel {
  using Parameters = LIFAdExParameters;
  using State = LIFAdExState;
  static constexpr auto initial_state = &lif_adex_initial_state;
  static constexpr auto step = &lif_adex_step;
  // All T steps as one fused scan (cell_sequence.hpp); equals the loop over `step`.
  static Sequence<LIFAdExState> sequence(const Tensor& x, const LIFAdExState& s0,
                                         const LIFAdExParameters& p, bool record_states);
};

// The steps over x (T, ...).
inline constexpr ModelSequence<LIFAdExModel> lif_adex_sequence{};

namespace nn {
using LIFAdEx = NeuronLayer<LIFAdExModel>;  // recorded(): "v", "i", "a"
}

}  // namespace soma
