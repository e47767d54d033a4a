#pragma once
// Integrate-and-fire neurons without leak or time constant (Norse's IAF):
//   v~ = v + x,   z = H(v~ - v_th),   v' = (1 - z) v~ + z v_reset   (Reset::value)
//                                     or v~ - z v_th                (Reset::subtract)
// Defaults: v_th 1, v_reset 0, SuperSpike with alpha 100. Initial state: v = v_reset. No dt:
// x is the charge added per step.
#include "core/neuron/lif.hpp"

namespace soma {

struct IAFParameters {
  float v_th = 1.0f;
  float v_reset = 0.0f;
  Reset reset = Reset::value;
  Surrogate surrogate{};
};

Tensor iaf_initial_state(const Shape& shape, const IAFParameters& p);

struct IAFStep {
  Tensor z, v;
};

// One step composed from ops: the reference for the fused sequence.
IAFStep iaf_step(const Tensor& x, const Tensor& v, const IAFParameters& p);

struct IAFSequence {
  Tensor z, v;   // (T, ...) spikes; final voltage
  Tensor trace;  // (T, ...) voltage after reset, only with record_states (Norse issue #407)
};

// All T steps of x (T, ...) as ONE autograd node. A fused scan rather than a loop of steps: the
// shared cell_scan makes it a dozen lines, and a loop would record T x 6 nodes where this
// records one and saves only v~ (4 bytes per neuron-step).
IAFSequence iaf_sequence(const Tensor& x, const Tensor& v0, const IAFParameters& p,
                         bool record_states = false);

}  // namespace soma
