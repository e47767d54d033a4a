#pragma once
// Integrate-and-fire neurons without leak or time constant (Norse's IAF):
//   v~ = v + x,   z = H(v~ - v_th),   v' = (1 - z) v~ + z v_reset   (Reset::value)
//                                     or v~ - z v_th                (Reset::subtract)
// Defaults: v_th 1, v_reset 0, SuperSpike with alpha 100. Initial state: v = v_reset. No dt:
// x is the charge added per step.
#include "core/neuron/lif.hpp"

namespace soma {

struct IAFParameters : ThresholdParameters {};

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

// The layer's model (Norse's IAF; record_states, Norse issue #407, records "v").
struct IAFModel {
  using Parameters = IAFParameters;
  using State = VoltageState;
  static VoltageState initial_state(const Shape& shape, const IAFParameters& p) {
    return {iaf_initial_state(shape, p)};
  }
  static Sequence<VoltageState> sequence(const Tensor& x, const VoltageState& s0,
                                         const IAFParameters& p, bool record_states);
};

namespace nn {
using IAF = NeuronLayer<IAFModel>;  // charges (T, B, ...) -> spikes
}

}  // namespace soma
