#pragma once
// Adaptive LIF (Norse's ada_lif_step): a LIF whose spikes charge an adaptation current b that
// pulls v down and decays to 0, unlike the LSNN's b, which raises the threshold. With input
// current x:
//   j  = i + x
//   v~ = v + dt tau_mem_inv (v_leak - v + j - b)
//   i' = j (1 - dt tau_syn_inv)
//   b~ = b (1 - dt tau_adapt_inv)
//   z  = H(v~ - v_th)
//   v' = v~ - z v_th   (Reset::subtract, the default; Reset::value: (1 - z) v~ + z v_reset)
//   b' = b~ + beta z
// Defaults: the LSNN's (tau_adapt_inv 1/800 /s, beta 1.8, and the LIF ones: dt 1e-3 s,
// tau_syn_inv 200 /s, tau_mem_inv 100 /s, v_leak 0, v_th 1, v_reset 0, SuperSpike alpha 100),
// with reset by subtraction. Initial state: v = v_leak, i = 0, b = 0.
//
// Fixed with respect to Norse: its ada_lif_step integrates v with the old current and adds the
// input to i afterwards, so an input reaches v one step late (Norse issue #370); here it reaches
// v in the same step, as lif.hpp, so with beta = 0 an AdaLIF is a LIF with reset by subtraction.
// Norse subtracts v_th - v_reset on a spike; Reset::subtract here subtracts v_th, as the other
// models (the same with the default v_reset = 0). Norse has the recurrent form only; this is the
// feed-forward one. Its sequence is one fused scan of cuda/ada_lif_body.hpp's cell
// (cell_sequence.hpp), equal to the loop over the step.
#include <array>

#include "core/neuron/lsnn.hpp"

namespace soma {

struct AdaLIFParameters : LSNNParameters {
  AdaLIFParameters() { reset = Reset::subtract; }
};

struct AdaLIFState {
  Tensor v, i, b;
  static constexpr std::array<const char*, 3> names{"v", "i", "b"};
  std::array<Tensor*, 3> fields() { return {&v, &i, &b}; }
};

AdaLIFState ada_lif_initial_state(const Shape& shape, const AdaLIFParameters& p);

struct AdaLIFStep {
  Tensor z;
  AdaLIFState state;
};

// One step composed from differentiable ops.
AdaLIFStep ada_lif_step(const Tensor& x, const AdaLIFState& s, const AdaLIFParameters& p);

struct AdaLIFModel {
  using Parameters = AdaLIFParameters;
  using State = AdaLIFState;
  static constexpr auto initial_state = &ada_lif_initial_state;
  static constexpr auto step = &ada_lif_step;
  // All T steps as one fused scan (cell_sequence.hpp); equals the loop over `step`.
  static Sequence<AdaLIFState> sequence(const Tensor& x, const AdaLIFState& s0,
                                        const AdaLIFParameters& p, bool record_states);
};

// The steps over x (T, ...).
inline constexpr ModelSequence<AdaLIFModel> ada_lif_sequence{};

namespace nn {
using AdaLIF = NeuronLayer<AdaLIFModel>;  // input currents -> spikes; recorded(): "v", "i", "b"
}

}  // namespace soma
