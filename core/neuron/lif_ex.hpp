#pragma once
// Exponential LIF (Norse's LIFEx): the LIF of lif.hpp plus a spike-initiation current.
//   j  = i + x
//   v~ = v + dt tau_mem_inv (v_leak - v + j + Delta_T exp((v - v_th) / Delta_T))
//   i' = j (1 - dt tau_syn_inv)
//   z  = H(v~ - v_th),   v' = (1 - z) v~ + z v_reset   (or v~ - z v_th with Reset::subtract)
// The exponential is taken at the old v (explicit Euler), and the input reaches v in the same
// step, as the LIF here and Norse's lif_ex / lif_adex feed-forward steps.
// Defaults: Delta_T 0.5 plus the LIF ones (LIFParameters: dt 1e-3 s, tau_syn_inv 200 /s,
// tau_mem_inv 100 /s, v_leak 0, v_th 1, v_reset 0, SuperSpike alpha 100). Initial state:
// v = v_leak, i = 0.
// As Delta_T -> 0 the model becomes the LIF.
#include <array>

#include "core/neuron/lif.hpp"

namespace soma {

struct LIFExParameters : LIFParameters {
  float delta_t = 0.5f;
};

struct LIFExState {
  Tensor v, i;
  static constexpr std::array<const char*, 2> names{"v", "i"};
  std::array<Tensor*, 2> fields() { return {&v, &i}; }
};

LIFExState lif_ex_initial_state(const Shape& shape, const LIFExParameters& p);

// v_leak - v + j + Delta_T exp((v - v_th) / Delta_T): the drive of dv, shared with AdEx.
Tensor lif_ex_drive(const Tensor& v, const Tensor& j, float v_leak, float v_th, float delta_t);

struct LIFExStep {
  Tensor z;
  LIFExState state;
};

LIFExStep lif_ex_step(const Tensor& x, const LIFExState& s, const LIFExParameters& p);

struct LIFExModel {
  using Parameters = LIFExParameters;
  using State = LIFExState;
  static constexpr auto initial_state = &lif_ex_initial_state;
  static constexpr auto step = &lif_ex_step;
  // All T steps as one fused scan (cell_sequence.hpp); equals the loop over `step`.
  static Sequence<LIFExState> sequence(const Tensor& x, const LIFExState& s0,
                                       const LIFExParameters& p, bool record_states);
};

// The steps over x (T, ...).
inline constexpr ModelSequence<LIFExModel> lif_ex_sequence{};

namespace nn {
using LIFEx = NeuronLayer<LIFExModel>;  // recorded(): "v", "i"
}

}  // namespace soma
