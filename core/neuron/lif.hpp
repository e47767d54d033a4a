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
#include "core/neuron/surrogate.hpp"
#include "core/tensor/tensor.hpp"

namespace soma {

enum class Reset { value, subtract };

struct LIFParameters {
  float tau_syn_inv = 200.0f;
  float tau_mem_inv = 100.0f;
  float v_leak = 0.0f;
  float v_th = 1.0f;
  float v_reset = 0.0f;
  Reset reset = Reset::value;
  Surrogate surrogate{};
  float dt = 1e-3f;
};

struct LIFState {
  Tensor v, i;
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

}  // namespace soma
