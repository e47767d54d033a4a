#pragma once
// Leaky integrators: the LIF update without a threshold; the output is the voltage. Used as
// read-out layers (the tasks take the max over time of an LI voltage).
//   LI:      j = i + x;  v' = v + dt tau_mem_inv (v_leak - v + j);  i' = j (1 - dt tau_syn_inv)
//   LI-box:  v' = v + dt tau_mem_inv (v_leak - v + x)
// Defaults (LeakyParameters, lif.hpp): dt 1e-3 s, tau_syn_inv 200 /s, tau_mem_inv 100 /s,
// v_leak 0. Initial state: v = v_leak, i = 0.
#include "core/neuron/current_scan.hpp"
#include "core/neuron/lif.hpp"

namespace soma {

struct LIParameters : LeakyParameters {
  bool box = false;  // LI-box: no synaptic current (tau_syn_inv is not used)
};

// The scan configuration of these models, for the fused layers (ff_layer.hpp).
CurrentScanConfig li_scan_config(const LIParameters& p);

LIFState li_initial_state(const Shape& shape, const LIParameters& p);

// One step composed from ops (i is ignored and returned as zeros for LI-box).
LIFState li_step(const Tensor& x, const LIFState& s, const LIParameters& p);

struct LISequence {
  Tensor v;        // (T, ...) voltages: the output
  LIFState state;  // after the last step
};

// All T steps as one autograd node.
LISequence li_sequence(const Tensor& x, const LIFState& s0, const LIParameters& p);

// The layer's model: output and recorded "v" are the voltages; "i" too unless box.
struct LIModel {
  using Parameters = LIParameters;
  using State = LIFState;
  static constexpr auto initial_state = &li_initial_state;
  static Sequence<LIFState> sequence(const Tensor& x, const LIFState& s0, const LIParameters& p,
                                     bool record_states);
};

namespace nn {
using LI = NeuronLayer<LIModel>;  // input currents (T, B, ...) -> voltages
}

}  // namespace soma
