#pragma once
// Leaky integrate-and-fire neurons with current-based synapses (Norse's LIF), time-first.
//
// One Euler step with input current x, as Norse after PR #326 (input reaches v the same step):
//   j  = i + x
//   v~ = v + dt tau_mem_inv (v_leak - v + j)
//   i' = j (1 - dt tau_syn_inv)
//   z  = H(v~ - v_th)
//   v' = (1 - z) v~ + z v_reset        (Reset::value)   or   v~ - z v_th   (Reset::subtract)
// Defaults: dt 1e-3 s, tau_syn_inv 200 /s, tau_mem_inv 100 /s, v_leak 0, v_th 1, v_reset 0,
// SuperSpike with alpha 100. Initial state: v = v_leak, i = 0.
//
// The parameters are the base of the whole family: LeakyParameters (the sub-threshold part, LI)
// and ThresholdParameters (threshold, reset and surrogate, IAF) hold the defaults once, and
// LIF-box, LSNN, LIF-Ex, AdEx and AdaLIF derive from LIFParameters, adding only their own.
#include <array>

#include "core/neuron/rollout.hpp"
#include "core/neuron/spike_rule.hpp"
#include "core/neuron/surrogate.hpp"
#include "core/nn/neuron_layer.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

// The membrane and the current synapse: everything below the threshold.
struct LeakyParameters {
  float tau_syn_inv = 200.0f;
  float tau_mem_inv = 100.0f;
  float v_leak = 0.0f;
  float dt = 1e-3f;
};

// Spiking: z = H(v~ - v_th) through the surrogate, then the reset.
struct ThresholdParameters {
  float v_th = 1.0f;
  float v_reset = 0.0f;
  Reset reset = Reset::value;
  Surrogate surrogate{};
};

struct LIFParameters : LeakyParameters, ThresholdParameters {};

// The voltage after the spikes z: (1 - z) v~ + z v_reset, or v~ - z v_th. From differentiable
// ops, for the composed steps of every model with ThresholdParameters.
Tensor reset_voltage(const Tensor& v_dec, const Tensor& z, const ThresholdParameters& p);

struct LIFState {
  Tensor v, i;
  static constexpr std::array<const char*, 2> names{"v", "i"};
  std::array<Tensor*, 2> fields() { return {&v, &i}; }
};

// The state of the models with a voltage only (LIF-box, IAF).
struct VoltageState {
  Tensor v;
  static constexpr std::array<const char*, 1> names{"v"};
  std::array<Tensor*, 1> fields() { return {&v}; }
};

LIFState lif_initial_state(const Shape& shape, const LIFParameters& p);

struct LIFStep {
  Tensor z;
  LIFState state;
};

// One step composed from differentiable ops: the reference the fused sequence is tested
// against, and the building block of hand-written time loops.
LIFStep lif_step(const Tensor& x, const LIFState& s, const LIFParameters& p);

struct LIFSequence {
  Tensor z;        // (T, ...) spikes
  LIFState state;  // after the last step
  Tensor v;        // (T, ...) membrane voltage after reset; only with record_states
};

// All T steps of x (T, ...) as ONE autograd node: a forward scan that saves only the pre-reset
// voltage (4 bytes per neuron-step) and a reverse scan for the backward.
LIFSequence lif_sequence(const Tensor& x, const LIFState& s0, const LIFParameters& p,
                         bool record_states = false);

// r as the layers keep it: z, the final state and, with record_states, v and the current i (the
// fused scan does not trace i; it is recomputed from x, which does not depend on v).
Sequence<LIFState> lif_layer_sequence(const LIFSequence& r, const Tensor& x, const LIFState& s0,
                                      const LIFParameters& p, bool record_states);

// The layer's model: the fused scan, recording v and i.
struct LIFModel {
  using Parameters = LIFParameters;
  using State = LIFState;
  static constexpr auto initial_state = &lif_initial_state;
  static Sequence<LIFState> sequence(const Tensor& x, const LIFState& s0, const LIFParameters& p,
                                     bool record_states);
};

namespace nn {
using LIF = NeuronLayer<LIFModel>;  // input currents (T, B, ...) -> spikes
}

}  // namespace soma
