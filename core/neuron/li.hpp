#pragma once
// Leaky integrators: the LIF update without a threshold; the output is the voltage. Used as
// read-out layers (the tasks take the max over time of an LI voltage).
//   LI:      j = i + x;  v' = v + dt tau_mem_inv (v_leak - v + j);  i' = j (1 - dt tau_syn_inv)
//   LI-box:  v' = v + dt tau_mem_inv (v_leak - v + x)
#include "core/neuron/current_scan.hpp"
#include "core/neuron/lif.hpp"

namespace soma {

struct LIParameters {
  float tau_syn_inv = 200.0f;
  float tau_mem_inv = 100.0f;
  float v_leak = 0.0f;
  bool box = false;  // LI-box: no synaptic current
  float dt = 1e-3f;
};

// The scan configuration of these models, for the fused layers (ff_layer.hpp).
CurrentScanConfig li_scan_config(const LIParameters& p);

// One step composed from ops (i is ignored and returned as zeros for LI-box).
LIFState li_step(const Tensor& x, const LIFState& s, const LIParameters& p);

struct LISequence {
  Tensor v;        // (T, ...) voltages: the output
  LIFState state;  // after the last step
};

// All T steps as one autograd node.
LISequence li_sequence(const Tensor& x, const LIFState& s0, const LIParameters& p);

}  // namespace soma
